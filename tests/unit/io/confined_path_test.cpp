// io::confined_path: a name read from a file is followed only inside the input's folder,
// whatever `..`, absolute paths or symbolic links say.
#include "io/confined_path.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "strata/error.hpp"
#include "support/reference_files.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;

class ConfinedPath : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "in" / "sub");
    fs::create_directories(dir_.path() / "out");
    for (const char* name : {"in/a.tif", "in/sub/b.tif", "out/secret"}) std::ofstream(dir_ / name) << "x";
  }
  std::string in() const { return dir_ / "in"; }
  // The message of the refusal of `name`, or "" when it is accepted.
  std::string refusal(const std::string& name) const {
    try {
      io::confined_path(in(), name, "ref.ome.tif");
      return "";
    } catch (const Error& e) {
      EXPECT_EQ(e.path(), "ref.ome.tif");
      return e.cause();
    }
  }

  testing::TempDir dir_;
};

TEST_F(ConfinedPath, NamesInsideTheFolderAreJoinedAsGiven) {
  EXPECT_EQ(io::confined_path(in(), "a.tif", "r"), in() + "/a.tif");
  EXPECT_EQ(io::confined_path(in(), "sub/b.tif", "r"), in() + "/sub/b.tif");
  EXPECT_EQ(io::confined_path(in(), "sub/../a.tif", "r"), in() + "/sub/../a.tif");
  // Files that do not exist yet are judged by their normalized name (opening them fails later).
  EXPECT_EQ(io::confined_path(in(), "missing/c.tif", "r"), in() + "/missing/c.tif");
  EXPECT_EQ(io::confined_path("", "x.tif", "r"), "x.tif");
}

TEST_F(ConfinedPath, DotDotAboveTheFolderIsRefused) {
  const std::string why = refusal("../out/secret");
  EXPECT_NE(why.find("names \"../out/secret\", outside the input's folder " + in()), std::string::npos) << why;
  EXPECT_EQ(why.find("symbolic link"), std::string::npos) << why;
  EXPECT_NE(refusal("sub/../../out/secret"), "");
  EXPECT_NE(refusal("../../../../../../../../etc/passwd"), "");
  EXPECT_NE(refusal(".."), "");
  EXPECT_NE(refusal("../in_other"), "");  // a sibling whose name starts like the folder's
}

TEST_F(ConfinedPath, AbsolutePathsAreRefusedEvenInsideTheFolder) {
  EXPECT_NE(refusal("/etc/passwd").find("an absolute path"), std::string::npos);
  EXPECT_NE(refusal(in() + "/a.tif").find("an absolute path"), std::string::npos);
}

TEST_F(ConfinedPath, SymbolicLinksAreJudgedByWhereTheyLead) {
  fs::create_symlink(dir_.path() / "out" / "secret", dir_.path() / "in" / "link.tif");
  fs::create_directory_symlink(dir_.path() / "out", dir_.path() / "in" / "linked_dir");
  fs::create_symlink("a.tif", dir_.path() / "in" / "sub" / "up.tif");  // dangling relative to sub/
  fs::create_symlink("../a.tif", dir_.path() / "in" / "sub" / "back.tif");
  const std::string why = refusal("link.tif");
  EXPECT_NE(why.find("through a symbolic link, to " + (dir_.path() / "out" / "secret").string()), std::string::npos)
      << why;
  EXPECT_NE(refusal("linked_dir/secret"), "");
  // ".." after a link climbs from where the link led (out/.. is the parent of in/, so this is in/a.tif).
  EXPECT_EQ(refusal("linked_dir/../in/a.tif"), "");
  EXPECT_EQ(refusal("sub/back.tif"), "");
  EXPECT_EQ(refusal("sub/up.tif"), "");
}

TEST_F(ConfinedPath, AFolderThatIsALinkIsTheFolderItLeadsTo) {
  fs::create_directory_symlink(dir_.path() / "in", dir_.path() / "alias");
  EXPECT_EQ(io::confined_path(dir_ / "alias", "sub/b.tif", "r"), (dir_ / "alias") + "/sub/b.tif");
  EXPECT_THROW(io::confined_path(dir_ / "alias", "../out/secret", "r"), Error);
}

}  // namespace
}  // namespace strata
