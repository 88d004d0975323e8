// explain: every changed input of a stage is named.
#include <catch2/catch.hpp>

#include "key/explain.hpp"

using nlohmann::json;
using xstage::key::explain_changes;

namespace {

json manifest() {
  return {{"format", 1},
          {"stage", "app"},
          {"builder", "cmake"},
          {"recipe", {{"stage", {{"description", "a"}}}}},
          {"options", {{"cmake_args", {"-DA=1"}}}},
          {"sources",
           {{"main", {{"path", "examples/app"}, {"files", {{"src/main.cpp", "aa"}, {"README", "bb"}}}}}}},
          {"toolchain", {{"c_version", "gcc 12"}}},
          {"parents", {{"ffmpeg", "k1"}}}};
}

} // namespace

TEST_CASE("identical manifests explain nothing", "[explain]") {
  CHECK(explain_changes(manifest(), manifest()).empty());
}

TEST_CASE("a changed, added or removed source file is named by path", "[explain]") {
  json now = manifest();
  now["sources"]["main"]["files"]["src/main.cpp"] = "cc";
  now["sources"]["main"]["files"]["src/new.cpp"] = "dd";
  now["sources"]["main"]["files"].erase("README");
  CHECK(explain_changes(manifest(), now) ==
        std::vector<std::string>{"source file examples/app/README removed",
                                 "source file examples/app/src/main.cpp changed",
                                 "source file examples/app/src/new.cpp added"});
}

TEST_CASE("parents, options, recipe values and the toolchain are named", "[explain]") {
  json now = manifest();
  now["parents"]["ffmpeg"] = "k2";
  now["options"]["cmake_args"] = {"-DA=2"};
  now["recipe"]["stage"]["description"] = "b";
  now["toolchain"]["c_version"] = "gcc 13";
  now["format"] = 2;
  CHECK(explain_changes(manifest(), now) ==
        std::vector<std::string>{"recipe format version changed (1 -> 2)",
                                 "recipe [stage] description changed",
                                 "recipe option cmake_args changed: added \"-DA=2\"; removed \"-DA=1\"",
                                 "toolchain c_version changed", "parent ffmpeg changed"});
}

TEST_CASE("a re-lock names each package whose version or .deb changed", "[explain]") {
  json before = manifest();
  before["lock"] = {{"libc6:arm64", {{"version", "2.36-9+deb12u13"}, {"sha256", "aa"}}},
                    {"zlib1g:arm64", {{"version", "1.2.13"}, {"sha256", "bb"}}},
                    {"old:all", {{"version", "1"}, {"sha256", "cc"}}}};
  json now = before;
  now["lock"]["libc6:arm64"]["version"] = "2.36-9+deb12u14";
  now["lock"]["zlib1g:arm64"]["sha256"] = "dd";
  now["lock"].erase("old:all");
  now["lock"]["new:arm64"] = {{"version", "2"}, {"sha256", "ee"}};
  CHECK(explain_changes(before, now) ==
        std::vector<std::string>{"locked package libc6:arm64 changed from 2.36-9+deb12u13 to 2.36-9+deb12u14",
                                 "locked package new:arm64 added (2)",
                                 "locked package old:all removed (was 1)",
                                 "locked package zlib1g:arm64 1.2.13: same version, another .deb (sha256)"});
  CHECK(explain_changes(manifest(), before) ==
        std::vector<std::string>{"the stage is now locked (3 packages)"});
  CHECK(explain_changes(before, manifest()) == std::vector<std::string>{"the stage is no longer locked"});
}
