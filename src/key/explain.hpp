#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xstage::key {

// Every input that differs between two input manifests of the same stage,
// one sentence each, in manifest order: "source file examples/app/main.cpp
// changed", "parent ffmpeg changed", "option configure_args changed",
// "recipe [stage] description changed", "toolchain c_version changed".
std::vector<std::string> explain_changes(const nlohmann::json& before, const nlohmann::json& now);

} // namespace xstage::key
