#include "image/image_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>
#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/logger.h"
#include "base/sys.h"
#include "tests/image/tar_fixture.h"

using namespace burrow;
using namespace burrow::image;
using namespace burrow::image::testing;

namespace {

struct Fixture {
  TempDir root;
  Logger logger{2, false};
  std::vector<std::string> events;
  std::unique_ptr<ImageStore> store;
  Fixture() { reopen(); }
  void reopen() {
    store.reset();
    store = std::make_unique<ImageStore>(ImageStoreOptions{
        root.path, &logger, [this](const std::string& s, const std::string& id) { events.push_back(s + " " + id); }});
  }
  Image import(const std::vector<Member>& members, const std::string& as = "") {
    std::string tar = make_tar(members);
    std::optional<Reference> ref;
    if (!as.empty()) ref = parse_reference(as);
    return store->import(read_string(tar), "-", ref);
  }
  size_t image_dirs() const {
    size_t n = 0;
    Fd fd = sys::open(root / "images", O_RDONLY | O_DIRECTORY);
    DIR* d = ::fdopendir(fd.release());
    while (struct dirent* de = ::readdir(d))
      if (de->d_name[0] != '.') ++n;
    ::closedir(d);
    return n;
  }
};

// The removal journals (pending-removal-*) in the state root.
std::vector<std::string> journals(const Fixture& f) {
  std::vector<std::string> out;
  DIR* d = ::opendir(f.root.path.c_str());
  while (struct dirent* de = ::readdir(d))
    if (std::string(de->d_name).rfind("pending-removal-", 0) == 0) out.push_back(de->d_name);
  ::closedir(d);
  return out;
}

Image commit_on(Fixture& f, const Image& parent, const std::string& repo) {
  TempDir upper;
  sys::write_file_atomic(upper / "added", "new");
  return f.store->commit(parent.id, upper.path, std::string(64, 'c'), nullptr, nullptr, repo, "", "", "");
}

}  // namespace

TEST_CASE("an imported image resolves by tag, full id and unique prefix", "[image][store]") {
  Fixture f;
  Image img = f.import({file("etc/hostname", "box\n")}, "docker.io/library/box:1");
  CHECK(img.size == 4);
  CHECK(img.comment == "Imported from -");
  CHECK(f.store->get("box:1").id == img.id);
  CHECK(f.store->get("docker.io/library/box:1").id == img.id);
  CHECK(f.store->get(img.id).id == img.id);
  CHECK(f.store->get(img.id.substr(0, 5)).id == img.id);
  CHECK(f.store->get("sha256:" + img.id).id == img.id);
  CHECK_FALSE(f.store->resolve("box"));  // box:latest does not exist
  CHECK(sys::read_file(f.store->layer_dirs(img.id).at(0) + "/etc/hostname") == "box\n");
  try {
    f.store->get("nothing");
    FAIL("found");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::NotFound);
    CHECK(std::string(e.what()) == "No such image: nothing");
  }
  f.reopen();
  CHECK(f.store->get("box:1").id == img.id);
  CHECK(f.store->tags_of(img.id) == std::vector<std::string>{"box:1"});
}

TEST_CASE("a hostile or broken import leaves the store unchanged", "[image][store][hostile]") {
  Fixture f;
  f.import({file("ok", "1")}, "ok");
  for (const std::string& tar : {make_tar({file("a", "1"), file("../evil", "x")}),
                                 make_tar({file("big", std::string(50000, 'b'))}).substr(0, 10000)}) {
    CHECK_THROWS_AS(f.store->import(read_string(tar), "-", parse_reference("bad")), Error);
  }
  CHECK(f.image_dirs() == 1);
  CHECK(f.store->list({}).size() == 1);
  CHECK_FALSE(f.store->resolve("bad"));
}

TEST_CASE("leftover staging directories are swept at start-up", "[image][store]") {
  Fixture f;
  sys::make_dirs(f.root / "images/.tmp-crashed/layer/x");
  f.reopen();
  CHECK_FALSE(sys::exists(f.root / "images/.tmp-crashed"));
}

TEST_CASE("start-up removes what a killed burrowd left among the images", "[image][store][crash]") {
  Fixture f;
  Image kept = f.import({file("a", "1")}, "kept");
  std::string no_json(64, 'e');
  sys::make_dirs(f.root / ("images/" + no_json + "/layer/x"));  // an id without json is no image
  sys::make_dirs(f.root / ("images/.tmp-rm-" + no_json + "/layer"));
  sys::write_file_atomic(f.root / ("images/" + kept.id + "/json.tmp-77"), "{");
  f.reopen();
  CHECK_FALSE(sys::exists(f.root / ("images/" + no_json)));
  CHECK_FALSE(sys::exists(f.root / ("images/.tmp-rm-" + no_json)));
  CHECK_FALSE(sys::exists(f.root / ("images/" + kept.id + "/json.tmp-77")));
  CHECK(f.image_dirs() == 1);
  CHECK(f.store->get("kept").id == kept.id);
}

TEST_CASE("an image a power loss took loses its tags, which are free again", "[image][store][crash]") {
  Fixture f;
  Image lost = f.import({file("a", "1")}, "lost:v1");
  Image kept = f.import({file("b", "2")}, "kept");
  f.store.reset();  // its layers are synced now; the state after a reboot removed `lost`:
  sys::remove_tree(f.root / ("images/" + lost.id));
  f.reopen();
  CHECK_FALSE(f.store->resolve("lost:v1"));
  CHECK(TagStore::load(f.root / "repositories.json").tags_of(lost.id).empty());
  CHECK(f.store->get("kept").id == kept.id);
  Image again = f.import({file("a", "1")}, "lost:v1");
  CHECK(f.store->get("lost:v1").id == again.id);
}

TEST_CASE("an rmi cut short after the untag is finished at the next start", "[image][store][crash]") {
  Fixture f;
  Image base = f.import({file("a", "1")}, "base");
  Image middle = commit_on(f, base, "");
  Image top = commit_on(f, middle, "top");
  f.store->remove("top", false);  // deletes top and its untagged parent middle
  CHECK(journals(f).empty());
  // The state a kill leaves after the untag reached the disk and top's directory went, before
  // middle's did: the journal, and middle as an untagged leaf.
  f.store.reset();
  sys::write_file_atomic(f.root / "pending-removal-0123456789abcdef", top.id + "\n" + middle.id + "\n");
  sys::make_dirs(f.root / ("images/" + middle.id + "/layer"));
  sys::write_file_atomic(f.root / ("images/" + middle.id + "/json"), image_json_string(middle));
  f.reopen();
  CHECK_FALSE(f.store->resolve(middle.id));
  CHECK_FALSE(sys::exists(f.root / ("images/" + middle.id)));
  CHECK(journals(f).empty());
  CHECK(f.store->get("base").id == base.id);
  CHECK(f.store->list({}).size() == 1);

  SECTION("a journal whose untag never reached the disk deletes nothing") {
    Image again = commit_on(f, base, "");
    Image tagged = commit_on(f, again, "top");
    f.store.reset();
    sys::write_file_atomic(f.root / "pending-removal-0123456789abcdef", tagged.id + "\n" + again.id + "\n");
    f.reopen();
    CHECK(f.store->get("top").id == tagged.id);
    CHECK(f.store->resolve(again.id));
    CHECK(journals(f).empty());
  }
}

TEST_CASE("an import or load cut short before its tag leaves no untagged image", "[image][store][crash]") {
  Fixture f;
  Image base = f.import({file("a", "1")}, "base");
  Image done = commit_on(f, base, "done");
  CHECK(journals(f).empty());  // a completed import or commit discards its journal
  // What a kill leaves between the images and the tags of a load: the images of the journal
  // that are untagged go, children first; a tagged one (its load completed) stays.
  Image half_parent = commit_on(f, base, "");
  Image half_top = commit_on(f, half_parent, "");
  f.store.reset();
  sys::write_file_atomic(f.root / "pending-removal-0123456789abcdef", half_top.id + "\n" + half_parent.id + "\n");
  sys::write_file_atomic(f.root / "pending-removal-fedcba9876543210", done.id + "\n");
  f.reopen();
  CHECK_FALSE(f.store->resolve(half_top.id));
  CHECK_FALSE(f.store->resolve(half_parent.id));
  CHECK(f.store->get("done").id == done.id);
  CHECK(f.store->list({}).size() == 2);
  CHECK(journals(f).empty());
}

TEST_CASE("tag refuses to move an existing tag unless forced", "[image][store][tag]") {
  Fixture f;
  Image a = f.import({file("a", "1")}, "app:1");
  Image b = f.import({file("b", "2")}, "other");
  f.store->tag(a.id, "docker.io/library/app", "2", false);
  CHECK(f.store->get("app:2").id == a.id);
  f.store->tag(a.id, "app", "2", false);  // same image again: fine
  try {
    f.store->tag(b.id, "app", "2", false);
    FAIL("retagged");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::Conflict);
  }
  f.store->tag(b.id, "app:2", "", true);
  CHECK(f.store->get("app:2").id == b.id);
  CHECK_THROWS_AS(f.store->tag(a.id, "Bad", "", false), Error);
  CHECK_THROWS_AS(f.store->tag("missing", "x", "", false), Error);
}

TEST_CASE("rmi follows Docker 0.8: untag first, delete when no tag is left", "[image][store][rmi]") {
  Fixture f;
  Image base = f.import({file("a", "1")}, "base:1");
  f.store->tag(base.id, "base", "2", false);
  auto r1 = f.store->remove("base:1", false);
  REQUIRE(r1.size() == 1);
  CHECK(r1[0].untagged);
  CHECK(f.store->resolve(base.id));
  auto r2 = f.store->remove("base:2", false);
  REQUIRE(r2.size() == 2);
  CHECK(r2[0].untagged);
  CHECK_FALSE(r2[1].untagged);
  CHECK(r2[1].id == base.id);
  CHECK_FALSE(f.store->resolve(base.id));
  CHECK(f.image_dirs() == 0);
  CHECK(f.events.back() == "delete " + base.id);
}

TEST_CASE("rmi by id with tags in several repositories needs force", "[image][store][rmi]") {
  Fixture f;
  Image img = f.import({file("a", "1")}, "one");
  f.store->tag(img.id, "two", "", false);
  CHECK_THROWS_AS(f.store->remove(img.id.substr(0, 12), false), Error);
  auto r = f.store->remove(img.id.substr(0, 12), true);
  CHECK(r.size() == 3);
}

TEST_CASE("rmi refuses while a container uses the image or a child", "[image][store][rmi]") {
  Fixture f;
  Image base = f.import({file("a", "1")}, "base");
  Image child = commit_on(f, base, "");
  f.store->set_in_use_check([&](const std::string& id) { return id == child.id; });
  try {
    f.store->remove("base", false);
    FAIL("deleted");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::Conflict);
    CHECK(std::string(e.what()).find("Conflict") == 0);
  }
  CHECK(f.store->get("base").id == base.id);
  f.store->set_in_use_check([](const std::string&) { return false; });
  auto r = f.store->remove("base", false);
  CHECK(r.size() == 3);  // untag, child deleted, base deleted
  CHECK(f.image_dirs() == 0);
}

TEST_CASE("deleting a child also deletes untagged parents nothing else needs", "[image][store][rmi]") {
  Fixture f;
  Image base = f.import({file("a", "1")});
  Image child = commit_on(f, base, "kid");
  auto r = f.store->remove("kid", false);
  REQUIRE(r.size() == 3);
  CHECK(r[1].id == child.id);
  CHECK(r[2].id == base.id);
}

TEST_CASE("list shows tags, untagged heads and virtual sizes", "[image][store][list]") {
  Fixture f;
  Image base = f.import({file("a", "12345")});
  Image child = commit_on(f, base, "app");
  auto rows = f.store->list({});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].image.id == child.id);
  CHECK(rows[0].repo_tags == std::vector<std::string>{"app:latest"});
  CHECK(rows[0].virtual_size == 8);
  CHECK(f.store->list({true, "", std::nullopt}).size() == 2);
  CHECK(f.store->list({false, "ap*", std::nullopt}).size() == 1);
  CHECK(f.store->list({false, "nope", std::nullopt}).empty());
  auto hist = f.store->history("app");
  REQUIRE(hist.size() == 2);
  CHECK(hist[1].id == base.id);
  auto dirs = f.store->layer_dirs(child.id);
  REQUIRE(dirs.size() == 2);
  CHECK(sys::exists(dirs[0] + "/added"));
  CHECK(sys::exists(dirs[1] + "/a"));
}

TEST_CASE("save writes the v1 layout and load restores it elsewhere", "[image][store][save]") {
  Fixture f;
  Image base = f.import({dir("etc"), file("etc/passwd", "root:x:0:0::/:/bin/sh\n")}, "base:1");
  Image child = commit_on(f, base, "app:2");
  std::string archive;
  f.store->save({"app:2"}, write_string(archive));
  Fixture g;
  std::map<std::string, std::string> names;
  {
    // The archive holds repositories and, per image, VERSION, json and layer.tar.
    TempDir x;
    Fd xfd = sys::open(x.path, O_RDONLY | O_DIRECTORY);
    extract_tar(read_string(archive), xfd.get());
    CHECK(sys::read_file(x / (child.id + "/VERSION")) == "1.0");
    CHECK(sys::exists(x / (base.id + "/layer.tar")));
    CHECK(sys::read_file(x / "repositories") == "{\"app\":{\"2\":\"" + child.id + "\"}}");
    // manifest.json for newer Docker: layers base first, diff ids = sha256 of each layer.tar.
    Poco::JSON::Parser parser;
    auto manifest = parser.parse(sys::read_file(x / "manifest.json")).extract<Poco::JSON::Array::Ptr>();
    REQUIRE(manifest->size() == 1);
    auto entry = manifest->getObject(0);
    CHECK(entry->getArray("RepoTags")->get(0).toString() == "app:2");
    auto layers = entry->getArray("Layers");
    REQUIRE(layers->size() == 2);
    CHECK(layers->get(0).toString() == base.id + "/layer.tar");
    auto config = parse_json_object(sys::read_file(x / entry->getValue<std::string>("Config")), "config");
    auto diff_ids = config->getObject("rootfs")->getArray("diff_ids");
    for (size_t i = 0; i < 2; ++i) {
      Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
      sha.update(sys::read_file(x / layers->get(i).toString()));
      CHECK(diff_ids->get(i).toString() == "sha256:" + Poco::DigestEngine::digestToHex(sha.digest()));
    }
  }
  auto lines = g.store->load(read_string(archive));
  CHECK(lines == std::vector<std::string>{"Loaded image: app:2"});
  CHECK(g.store->get("app:2").id == child.id);
  CHECK(g.store->get(base.id).size == base.size);
  CHECK(sys::read_file(g.store->layer_dirs(child.id).at(1) + "/etc/passwd") == "root:x:0:0::/:/bin/sh\n");
  // Loading again changes nothing.
  g.store->load(read_string(archive));
  CHECK(g.store->list({true, "", std::nullopt}).size() == 2);
}

TEST_CASE("an archive with manifest.json as newer Docker writes loads", "[image][store][save]") {
  Fixture f;
  std::string layer1 = make_tar({file("bin/sh", "elf")});
  std::string layer2 = make_tar({file("etc/motd", "hi")});
  std::string config = R"({"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05Z",)"
                       R"("config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},)"
                       R"("history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD rootfs"},)"
                       R"({"created_by":"ENV PATH=/bin","empty_layer":true},)"
                       R"({"created":"2024-01-02T03:04:05Z","created_by":"COPY motd"}],)"
                       R"("rootfs":{"type":"layers","diff_ids":[]}})";
  std::string manifest = R"([{"Config":"blobs/sha256/cfg","RepoTags":["docker.io/library/modern:v1"],)"
                         R"("Layers":["blobs/sha256/l1","blobs/sha256/l2"]}])";
  std::string archive = make_tar({dir("blobs"), dir("blobs/sha256"), file("blobs/sha256/cfg", config),
                                  file("blobs/sha256/l1", layer1), file("blobs/sha256/l2", layer2),
                                  file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"),
                                  file("index.json", "{}"), file("manifest.json", manifest)});
  auto lines = f.store->load(read_string(archive));
  CHECK(lines == std::vector<std::string>{"Loaded image: modern:v1"});
  Image top = f.store->get("modern:v1");
  REQUIRE(top.config);
  CHECK(top.config->getArray("Cmd")->get(0).toString() == "/bin/sh");
  auto hist = f.store->history("modern:v1");
  REQUIRE(hist.size() == 2);
  CHECK(hist[1].created_by() == "ADD rootfs");
  auto dirs = f.store->layer_dirs(top.id);
  CHECK(sys::read_file(dirs[0] + "/etc/motd") == "hi");
  CHECK(sys::read_file(dirs[1] + "/bin/sh") == "elf");
}

TEST_CASE("a Docker 1.10+ archive whose layer.tar is a symlink to another loads", "[image][store][save]") {
  Fixture f;
  std::string a(64, 'a'), b(64, 'b');
  std::string ja = R"({"id":")" + a + R"(","created":"2016-01-01T00:00:00Z"})";
  std::string jb = R"({"id":")" + b + R"(","parent":")" + a +
                   R"(","created":"2016-01-02T00:00:00Z","config":{"Cmd":["sh"]}})";
  std::string archive = make_tar({dir(a), file(a + "/VERSION", "1.0"), file(a + "/json", ja),
                                  file(a + "/layer.tar", make_tar({file("same", "1")})), dir(b),
                                  file(b + "/VERSION", "1.0"), file(b + "/json", jb), slink(b + "/layer.tar", "../" + a + "/layer.tar"),
                                  file("repositories", R"({"dup":{"latest":")" + b + R"("}})")});
  CHECK(f.store->load(read_string(archive)) == std::vector<std::string>{"Loaded image: dup:latest"});
  auto dirs = f.store->layer_dirs(b);
  REQUIRE(dirs.size() == 2);
  CHECK(sys::read_file(dirs[0] + "/same") == "1");
  CHECK(sys::read_file(dirs[1] + "/same") == "1");
}

TEST_CASE("a load with a missing layer or parent changes nothing", "[image][store][save]") {
  Fixture f;
  std::string id(64, 'd'), parent(64, 'e');
  std::string json = R"({"id":")" + id + R"(","parent":")" + parent + R"(","created":"2014-01-01T00:00:00Z"})";
  std::string archive = make_tar({file(id + "/json", json), file(id + "/layer.tar", make_tar({file("x", "1")}))});
  CHECK_THROWS_AS(f.store->load(read_string(archive)), Error);
  std::string no_layer = make_tar({file(id + "/json", R"({"id":")" + id + R"("})")});
  CHECK_THROWS_AS(f.store->load(read_string(no_layer)), Error);
  CHECK(f.image_dirs() == 0);
}

TEST_CASE("insert makes a new image holding the file", "[image][store]") {
  Fixture f;
  Image base = f.import({dir("usr", 0711), file("usr/x", "1")}, "base");
  std::string data = "inserted";
  Image img = f.store->insert("base", "/usr/local/bin/tool", read_string(data), "http://example/tool");
  auto dirs = f.store->layer_dirs(img.id);
  CHECK(sys::read_file(dirs[0] + "/usr/local/bin/tool") == "inserted");
  struct stat st;
  REQUIRE(::stat((dirs[0] + "/usr").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0711);
  CHECK(img.parent == base.id);
  CHECK(img.created_by() == "echo insert http://example/tool /usr/local/bin/tool");
}
