#include "image/sbom.hpp"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/digest.hpp"

using nlohmann::json;

namespace xstage::image {

namespace {

constexpr std::string_view k_none = "NOASSERTION";

// SPDX ids may hold letters, digits, '.' and '-' only.
std::string spdx_id(std::string_view kind, std::string_view name) {
  std::string id = fmt::format("SPDXRef-{}-", kind);
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.';
    id += plain ? c : '-';
  }
  return id;
}

json checksum(const std::string& digest) {
  return json::array({{{"algorithm", "SHA256"}, {"checksumValue", util::Digest::parse(digest).hex()}}});
}

json relationship(const std::string& from, std::string_view type, const std::string& to) {
  return {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

// The pieces every package needs; licenses are not analysed.
json package(const std::string& id, const std::string& name, const std::string& version) {
  return {{"SPDXID", id},
          {"name", name},
          {"versionInfo", version},
          {"downloadLocation", k_none},
          {"filesAnalyzed", false},
          {"licenseConcluded", k_none},
          {"licenseDeclared", k_none},
          {"copyrightText", k_none}};
}

// purl's deb type: pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=SUITE, with
// the version's ':' (an epoch) percent-encoded.
std::string deb_purl(const std::string& name, const std::string& version, const std::string& architecture,
                     const std::string& suite) {
  std::string encoded;
  for (char c : version) {
    encoded += c == ':' ? std::string("%3A") : std::string(1, c);
  }
  return fmt::format("pkg:deb/debian/{}@{}?arch={}&distro={}", name, encoded, architecture, suite);
}

json purl_ref(const std::string& purl) {
  return json::array(
      {{{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"}, {"referenceLocator", purl}}});
}

// The Debian packages of a debian stage's layer, each CONTAINed by `stage_id`.
void add_debian_packages(const recipe::Recipe& stage, const std::string& stage_id, json& packages,
                         json& relationships) {
  if (stage.lock) {
    for (const recipe::LockedPackage& locked : stage.lock->packages) {
      std::string id = spdx_id("Deb", stage.name + "-" + locked.name + "-" + locked.architecture);
      json entry = package(id, locked.name, locked.version);
      entry["checksums"] = checksum("sha256:" + locked.sha256);
      entry["packageFileName"] = locked.filename.substr(locked.filename.rfind('/') + 1);
      entry["externalRefs"] =
          purl_ref(deb_purl(locked.name, locked.version, locked.architecture, stage.lock->suite));
      entry["supplier"] = "Organization: Debian";
      packages.push_back(std::move(entry));
      relationships.push_back(relationship(stage_id, "CONTAINS", id));
    }
    return;
  }
  for (const std::string& name : stage.string_list("packages")) {
    std::string id = spdx_id("Deb", stage.name + "-" + name);
    json entry = package(id, name, std::string(k_none));
    entry["comment"] =
        fmt::format("stage '{}' is not locked: the version installed is not recorded", stage.name);
    packages.push_back(std::move(entry));
    relationships.push_back(relationship(stage_id, "CONTAINS", id));
  }
}

// The files of a debian stage's layer, each CONTAINed by the package that
// installs it, or by the stage with the reason when none does.
void add_layer_files(const recipe::Recipe& stage, const std::string& stage_id, const LayerContents& contents,
                     json& files, json& relationships) {
  std::size_t number = 0;
  for (const LayerFile& file : contents) {
    std::string id = spdx_id("File", stage.name + "-" + std::to_string(++number));
    json entry = {{"SPDXID", id},
                  {"fileName", "./" + file.path},
                  {"checksums", json::array({{{"algorithm", "SHA1"}, {"checksumValue", file.sha1}},
                                             {{"algorithm", "SHA256"}, {"checksumValue", file.sha256}}})},
                  {"licenseConcluded", k_none},
                  {"copyrightText", k_none}};
    std::string owner = stage_id;
    if (file.package.empty()) {
      entry["comment"] =
          fmt::format("in the layer of stage '{}', installed by none of its locked packages", stage.name);
    } else if (file.modified) {
      entry["comment"] =
          fmt::format("in the layer of stage '{}', with other content than package {} installs", stage.name,
                      file.package);
    } else {
      owner = spdx_id("Deb", stage.name + "-" + file.package + "-" + file.architecture);
    }
    files.push_back(std::move(entry));
    relationships.push_back(relationship(owner, "CONTAINS", id));
  }
}

// A stage's sources, each GENERATED_FROM by `stage_id`.
void add_sources(const recipe::Recipe& stage, const key::StageKey& key, const std::string& stage_id,
                 json& packages, json& relationships) {
  for (const recipe::Source& source : stage.sources) {
    std::string id = spdx_id("Source", stage.name + "-" + source.name);
    json entry = package(id, source.name == "main" ? stage.name + "-source" : source.name,
                         stage.version.empty() ? std::string(k_none) : stage.version);
    switch (source.kind) {
    case recipe::SourceKind::archive:
      entry["downloadLocation"] = source.url;
      entry["packageFileName"] =
          source.file.empty() ? source.url.substr(source.url.rfind('/') + 1) : source.file;
      entry["checksums"] = checksum("sha256:" + source.sha256);
      if (!source.debian_source.empty()) {
        entry["sourceInfo"] = fmt::format("also taken from Debian source package {}", source.debian_source);
      }
      break;
    case recipe::SourceKind::git:
      entry["downloadLocation"] = fmt::format("git+{}@{}", source.git, source.commit);
      entry["versionInfo"] = source.tag.empty() ? source.commit : source.tag;
      entry["sourceInfo"] = fmt::format("git commit {}", source.commit);
      break;
    case recipe::SourceKind::path:
      entry["sourceInfo"] =
          fmt::format("the recipe directory {}, tree digest {}", source.path,
                      util::Digest::of(key.manifest["sources"][source.name]["files"].dump()).str());
      break;
    }
    packages.push_back(std::move(entry));
    relationships.push_back(relationship(stage_id, "GENERATED_FROM", id));
  }
}

} // namespace

std::string spdx_document(const recipe::Pipeline& pipeline, const ImagePlan& plan,
                          const std::map<std::string, key::StageKey>& keys, const Image& image,
                          const std::string& tag, const std::string& tool,
                          const std::map<std::string, LayerContents>& contents) {
  const std::string image_id = "SPDXRef-Image";
  std::string hex = util::Digest::parse(image.manifest_digest).hex();
  json image_package = package(image_id, fmt::format("{}/{}", pipeline.name(), plan.stage->name), tag);
  image_package["checksums"] = checksum(image.manifest_digest);
  image_package["primaryPackagePurpose"] = "CONTAINER";
  image_package["comment"] = fmt::format("linux/arm64 image, manifest {}", image.manifest_digest);
  json packages = json::array({image_package});
  json files = json::array();
  json relationships = json::array({relationship("SPDXRef-DOCUMENT", "DESCRIBES", image_id)});

  std::map<std::string, const Blob*> layer_of;
  for (const Blob& layer : image.layers) {
    layer_of[layer.stage] = &layer;
  }
  for (const recipe::Recipe* stage : pipeline.closure(plan.stages)) {
    const key::StageKey& key = keys.at(stage->name);
    std::string id = spdx_id("Stage", stage->name);
    json entry = package(id, stage->name, key.key);
    entry["comment"] =
        fmt::format("xstage stage '{}' (builder {}), stage key {}", stage->name, stage->builder, key.key);
    auto layer = layer_of.find(stage->name);
    if (layer != layer_of.end()) {
      entry["checksums"] = checksum(layer->second->digest);
      relationships.push_back(relationship(image_id, "CONTAINS", id));
    }
    packages.push_back(std::move(entry));
    if (stage->builder == "debian" && layer != layer_of.end()) {
      add_debian_packages(*stage, id, packages, relationships);
      if (auto listed = contents.find(stage->name); listed != contents.end()) {
        add_layer_files(*stage, id, listed->second, files, relationships);
      }
    }
    add_sources(*stage, key, id, packages, relationships);
    for (const std::string& parent : stage->parents) {
      relationships.push_back(relationship(spdx_id("Stage", parent), "BUILD_DEPENDENCY_OF", id));
    }
  }

  json document = {
      {"spdxVersion", "SPDX-2.3"},
      {"dataLicense", "CC0-1.0"},
      {"SPDXID", "SPDXRef-DOCUMENT"},
      {"name", fmt::format("{}/{}:{}", pipeline.name(), plan.stage->name, tag)},
      // Unique per image, as SPDX asks, and the same wherever it is assembled.
      {"documentNamespace",
       fmt::format("https://spdx.org/spdxdocs/xstage-{}-{}-{}", pipeline.name(), plan.stage->name, hex)},
      {"creationInfo", {{"created", k_image_created}, {"creators", json::array({"Tool: " + tool})}}},
      {"packages", packages},
      {"relationships", relationships}};
  if (!files.empty()) {
    document["files"] = files;
  }
  return document.dump(2) + "\n";
}

Referrer sbom_referrer(const Image& image, std::string document) {
  Referrer attachment;
  attachment.artifact_type = k_spdx_type;
  attachment.document_digest = util::Digest::of(document).str();
  json empty = {{"mediaType", k_empty_type},
                {"digest", util::Digest::of(k_empty_config).str()},
                {"size", k_empty_config.size()}};
  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", k_manifest_type},
      {"artifactType", k_spdx_type},
      {"config", empty},
      {"layers", json::array({{{"mediaType", k_spdx_type},
                               {"digest", attachment.document_digest},
                               {"size", document.size()},
                               {"annotations", {{"org.opencontainers.image.title", "sbom.spdx.json"}}}}})},
      {"subject",
       {{"mediaType", k_manifest_type}, {"digest", image.manifest_digest}, {"size", image.manifest.size()}}},
      {"annotations", {{"org.opencontainers.image.created", k_image_created}}}};
  attachment.document = std::move(document);
  attachment.manifest = manifest.dump();
  attachment.manifest_digest = util::Digest::of(attachment.manifest).str();
  return attachment;
}

} // namespace xstage::image
