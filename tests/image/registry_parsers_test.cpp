// Unit tests of the registry client's pure parts: reference resolution (Docker Hub names,
// loopback hosts, registry=, digests), manifest parsing (schema 2, OCI, lists, schema 1),
// WWW-Authenticate challenges, X-Registry-Auth decoding. Nothing here touches a network.
#include <catch2/catch.hpp>

#include "base/error.h"
#include "image/registry/manifest.h"
#include "image/registry/registry_auth.h"
#include "image/registry/registry_reference.h"
#include "image/registry/sha256.h"

using namespace burrow::image::registry;

namespace {
const std::string kHex(64, 'a');
const std::string kDigest = "sha256:" + kHex;
}  // namespace

TEST_CASE("Docker Hub names resolve as the docker CLI expects") {
  auto r = parse_registry_reference("busybox");
  CHECK(r.registry == "docker.io");
  CHECK(r.endpoint == "registry-1.docker.io");
  CHECK(r.path == "library/busybox");
  CHECK(r.familiar == "busybox");
  CHECK(r.tag == "latest");
  auto u = parse_registry_reference("docker.io/user/app:1.0");
  CHECK(u.path == "user/app");
  CHECK(u.familiar == "user/app");
  CHECK(u.tag == "1.0");
  CHECK(parse_registry_reference("docker.io/library/busybox", "musl").tag == "musl");
  CHECK(parse_registry_reference("index.docker.io/library/ubuntu").familiar == "ubuntu");
}

TEST_CASE("registry hosts, ports, registry= and digests") {
  auto r = parse_registry_reference("127.0.0.1:5000/team/app:v2");
  CHECK(r.registry == "127.0.0.1:5000");
  CHECK(r.endpoint == "127.0.0.1:5000");
  CHECK(r.path == "team/app");
  CHECK(r.familiar == "127.0.0.1:5000/team/app");
  CHECK(r.manifest_ref() == "v2");
  auto l = parse_registry_reference("localhost:5000/app");
  CHECK(l.endpoint == "localhost:5000");
  CHECK(l.tag == "latest");
  auto with = parse_registry_reference("app", "t1", "127.0.0.1:5001");
  CHECK(with.familiar == "127.0.0.1:5001/app");
  CHECK(with.tag == "t1");
  auto d = parse_registry_reference("127.0.0.1:5000/app@" + kDigest);
  CHECK(d.digest == kDigest);
  CHECK(d.tag.empty());
  CHECK(d.manifest_ref() == kDigest);
  CHECK_THROWS_AS(parse_registry_reference("app@sha256:xyz"), burrow::Error);
  CHECK_THROWS_AS(parse_registry_reference("UPPER/case"), burrow::Error);
  CHECK_THROWS_AS(parse_registry_reference("app:a", "b"), burrow::Error);
}

TEST_CASE("plain http only for loopback and listed insecure registries") {
  CHECK(use_plain_http("127.0.0.1:5000", {}));
  CHECK(use_plain_http("localhost", {}));
  CHECK(use_plain_http("[::1]:5000", {}));
  CHECK_FALSE(use_plain_http("registry-1.docker.io", {}));
  CHECK_FALSE(use_plain_http("myreg.example:5000", {}));
  CHECK(use_plain_http("myreg.example:5000", {"myreg.example:5000"}));
  CHECK(use_plain_http("myreg.example:5000", {"myreg.example"}));
  CHECK(endpoint_of_server_address("https://index.docker.io/v1/") == "registry-1.docker.io");
  CHECK(endpoint_of_server_address("") == "registry-1.docker.io");
  CHECK(endpoint_of_server_address("http://127.0.0.1:5000/") == "127.0.0.1:5000");
  CHECK(endpoint_of_server_address("127.0.0.1:5000") == "127.0.0.1:5000");
}

TEST_CASE("schema 2 manifest") {
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1470,"digest":")" + kDigest + R"("},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":10,"digest":"sha256:)" +
                     std::string(64, 'b') + R"("},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":20,"digest":"sha256:)" +
                     std::string(64, 'c') + R"("}]})";
  Manifest m = parse_manifest(body, "");
  CHECK(m.kind == ManifestKind::Image);
  CHECK(m.config.digest == kDigest);
  CHECK(m.config.size == 1470);
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].digest == "sha256:" + std::string(64, 'b'));
  CHECK(m.layers[1].size == 20);
  // Round trip through what burrow pushes.
  Manifest again = parse_manifest(schema2_manifest_json(m.config, m.layers), std::string(kSchema2Type));
  CHECK(again.layers.size() == 2);
  CHECK(again.config.digest == kDigest);
}

TEST_CASE("OCI manifest, OCI index and manifest list") {
  std::string oci = R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":5,"digest":")" +
                    kDigest + R"("},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":3,"digest":")" +
                    kDigest + R"("}]})";
  Manifest m = parse_manifest(oci, "application/vnd.oci.image.manifest.v1+json");
  CHECK(m.kind == ManifestKind::Image);
  CHECK(m.layers.size() == 1);
  std::string index = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
    {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":1,"digest":"sha256:)" + std::string(64, '1') +
                      R"(","platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
    {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":1,"digest":"sha256:)" + std::string(64, '2') +
                      R"(","platform":{"architecture":"amd64","os":"linux"}}]})";
  Manifest list = parse_manifest(index, "");
  CHECK(list.kind == ManifestKind::List);
  const Descriptor* d = pick_platform(list, "linux", "amd64");
  REQUIRE(d);
  CHECK(d->digest == "sha256:" + std::string(64, '2'));
  CHECK(pick_platform(list, "windows", "amd64") == nullptr);
  std::string bad_layer = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" +
                          kDigest + R"("},"layers":[{"mediaType":"application/vnd.example.wasm","digest":")" + kDigest + R"("}]})";
  CHECK_THROWS_AS(parse_manifest(bad_layer, ""), burrow::Error);
  CHECK_THROWS_AS(parse_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:1\"},\"layers\":[]}", ""), burrow::Error);
  CHECK_THROWS_AS(parse_manifest("not json", ""), burrow::Error);
}

TEST_CASE("schema 1 manifest: layers base first and a config from the history") {
  std::string body = R"({"schemaVersion":1,"name":"app","tag":"latest","fsLayers":[{"blobSum":"sha256:)" +
                     std::string(64, 'f') + R"("},{"blobSum":"sha256:)" + std::string(64, 'e') + R"("}],
    "history":[{"v1Compatibility":"{\"id\":\"top\",\"parent\":\"base\",\"created\":\"2020-01-02T00:00:00Z\",\"config\":{\"Cmd\":[\"sh\"]},\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) CMD [sh]\"]}}"},
               {"v1Compatibility":"{\"id\":\"base\",\"created\":\"2020-01-01T00:00:00Z\"}"}]})";
  Manifest m = parse_manifest(body, "application/vnd.docker.distribution.manifest.v1+prettyjws");
  CHECK(m.kind == ManifestKind::Schema1);
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].digest == "sha256:" + std::string(64, 'e'));
  std::string config = schema1_config_json(m);
  CHECK(config.find("\"history\"") != std::string::npos);
  CHECK(config.find("\"id\"") == std::string::npos);
  CHECK(config.find("#(nop) CMD [sh]") != std::string::npos);
}

TEST_CASE("WWW-Authenticate challenges") {
  auto c = parse_auth_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].param("realm") == "https://auth.docker.io/token");
  CHECK(c[0].param("service") == "registry.docker.io");
  CHECK(c[0].param("scope") == "repository:library/busybox:pull");
  auto b = parse_auth_challenges(R"(Basic realm="Registry Realm")");
  REQUIRE(b.size() == 1);
  CHECK(b[0].scheme == "basic");
  CHECK(b[0].param("realm") == "Registry Realm");
  auto two = parse_auth_challenges(R"(Bearer realm="a,b", error="invalid_token", Basic realm=x)");
  REQUIRE(two.size() == 2);
  CHECK(two[0].param("realm") == "a,b");
  CHECK(two[0].param("error") == "invalid_token");
  CHECK(two[1].scheme == "basic");
  CHECK(two[1].param("realm") == "x");
  auto esc = parse_auth_challenges(R"(Bearer realm="q\"uote")");
  CHECK(esc[0].param("realm") == "q\"uote");
  CHECK_THROWS_AS(parse_auth_challenges(""), burrow::Error);
}

TEST_CASE("X-Registry-Auth and AuthConfig") {
  std::string json = R"({"username":"alice","password":"s3cret?>","serveraddress":"127.0.0.1:5000"})";
  std::string b64 = base64_encode(json);
  CHECK(base64_decode(b64) == json);
  // The docker CLI sends URL-safe base64.
  std::string url_safe = b64;
  for (auto& ch : url_safe) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  while (!url_safe.empty() && url_safe.back() == '=') url_safe.pop_back();
  AuthConfig a = decode_registry_auth_header(url_safe);
  CHECK(a.username == "alice");
  CHECK(a.password == "s3cret?>");
  CHECK(a.server_address == "127.0.0.1:5000");
  AuthConfig from_auth = decode_registry_auth_header(base64_encode(R"({"auth":")" + base64_encode("bob:pw:x") + R"("})"));
  CHECK(from_auth.username == "bob");
  CHECK(from_auth.password == "pw:x");
  CHECK(decode_registry_auth_header("").empty());
  CHECK(decode_registry_auth_header("!!!").empty());
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
}

TEST_CASE("sha256 digests") {
  CHECK(sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(is_sha256_digest(sha256_digest("x")));
  CHECK_FALSE(is_sha256_digest("sha256:ABC"));
}
