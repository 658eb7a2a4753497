// Purpose: installation and the Debian package, from this build directory:
// `cmake --install` with DESTDIR lays the files out in the Debian places, and
// `cpack -G DEB` builds a .deb whose contents, control fields (Depends from
// shlibdeps), conffiles and maintainer scripts dpkg-deb reads back.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace footfall::testing {
namespace {

std::string BinaryDir() { return FOOTFALL_BINARY_DIR; }

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR) != 0;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(PackagingTest, InstallPutsEveryFileInTheDebianPlaces) {
  TempDir dest;
  std::string out;
  ASSERT_EQ(RunCommand({"env", "DESTDIR=" + dest.path(), "cmake", "--install", BinaryDir()}, &out,
                       std::chrono::seconds(120)),
            0)
      << out;
  const std::string d = dest.path();
  EXPECT_TRUE(IsExecutableFile(d + "/usr/sbin/footfalld"));
  EXPECT_TRUE(IsExecutableFile(d + "/usr/bin/footfall-anonymize"));
  EXPECT_EQ(ReadFile(d + "/etc/footfall/footfall.toml"),
            ReadFile(SourceDir() + "/config/footfall.toml"));
  EXPECT_EQ(ReadFile(d + "/lib/systemd/system/footfalld.service"),
            ReadFile(SourceDir() + "/systemd/footfalld.service"));
  EXPECT_EQ(ReadFile(d + "/usr/lib/sysusers.d/footfall.conf"),
            ReadFile(SourceDir() + "/systemd/footfall.sysusers"));
  EXPECT_TRUE(std::filesystem::exists(d + "/usr/share/doc/footfall/README.md"));
  EXPECT_TRUE(std::filesystem::exists(d + "/usr/share/doc/footfall/deploy.md"));
  // The dashboard, and the example mosquitto configuration whose http_dir is it.
  EXPECT_TRUE(std::filesystem::exists(d + "/usr/share/footfall/dashboard/index.html"));
  EXPECT_TRUE(std::filesystem::exists(d + "/usr/share/footfall/dashboard/app.js"));
  const std::string example =
      ReadFile(d + "/usr/share/doc/footfall/examples/mosquitto/footfall-dashboard.conf");
  EXPECT_NE(example.find("\nhttp_dir /usr/share/footfall/dashboard\n"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(d + "/usr/share/doc/footfall/examples/mosquitto/footfall.acl"));
  EXPECT_FALSE(std::filesystem::exists(d + "/etc/mosquitto"));  // not enabled behind one's back
  // Nothing under /usr/local or /usr/etc.
  EXPECT_FALSE(std::filesystem::exists(d + "/usr/local"));
  EXPECT_FALSE(std::filesystem::exists(d + "/usr/etc"));
}

TEST(PackagingTest, CpackBuildsADebWithContentsControlAndConffiles) {
  TempDir out_dir;
  std::string out;
  ASSERT_EQ(RunCommand({"cpack", "-G", "DEB", "--config", BinaryDir() + "/CPackConfig.cmake", "-B",
                        out_dir.path()},
                       &out, std::chrono::seconds(300)),
            0)
      << out;
  std::string arch;
  ASSERT_EQ(RunCommand({"dpkg", "--print-architecture"}, &arch), 0);
  arch = Trim(arch);
  std::string version;
  ASSERT_EQ(RunCommand({FootfalldPath(), "--version"}, &version), 0);
  version = version.substr(10, version.find('\n') - 10);
  const std::string deb = out_dir.File("footfall_" + version + "_" + arch + ".deb");
  ASSERT_TRUE(std::filesystem::exists(deb)) << out;

  auto field = [&](const std::string& name) {
    std::string v;
    EXPECT_EQ(RunCommand({"dpkg-deb", "-f", deb, name}, &v), 0) << name;
    return Trim(v);
  };
  EXPECT_EQ(field("Package"), "footfall");
  EXPECT_EQ(field("Version"), version);
  EXPECT_EQ(field("Architecture"), arch);
  EXPECT_EQ(field("Section"), "net");
  EXPECT_FALSE(field("Maintainer").empty());
  EXPECT_NE(field("Description").find("anonymous probe-request counts over MQTT"),
            std::string::npos);
  // shlibdeps: the libraries footfalld links, as Debian packages.
  const std::string depends = field("Depends");
  for (const char* lib : {"libpcap0.8", "libsodium23", "libpaho-mqttpp3", "libpaho-mqtt1.3",
                          "libsystemd0", "libtomlplusplus3", "libc6", "libstdc++6"}) {
    EXPECT_NE(depends.find(lib), std::string::npos) << lib << " missing from " << depends;
  }

  std::string listing;
  ASSERT_EQ(RunCommand({"dpkg-deb", "-c", deb}, &listing), 0);
  std::set<std::string> files;
  std::istringstream lines(listing);
  for (std::string l; std::getline(lines, l);) {
    const auto dot = l.find(" ./");
    if (dot != std::string::npos) files.insert(l.substr(dot + 2));
    if (l.find(" ./usr/sbin/footfalld") != std::string::npos) {
      EXPECT_EQ(l.substr(0, 10), "-rwxr-xr-x") << l;
      EXPECT_NE(l.find("root/root"), std::string::npos) << l;
    }
  }
  for (const char* f :
       {"/usr/sbin/footfalld", "/usr/bin/footfall-anonymize", "/etc/footfall/footfall.toml",
        "/lib/systemd/system/footfalld.service", "/usr/lib/sysusers.d/footfall.conf",
        "/usr/share/doc/footfall/README.md", "/usr/share/doc/footfall/deploy.md",
        "/usr/share/footfall/dashboard/index.html", "/usr/share/footfall/dashboard/app.js",
        "/usr/share/footfall/dashboard/app.css",
        "/usr/share/doc/footfall/examples/mosquitto/footfall-dashboard.conf"}) {
    EXPECT_EQ(files.count(f), 1u) << f << " not in the package:\n" << listing;
  }
  for (const auto& f : files) {
    EXPECT_NE(f.rfind("/usr/local", 0), 0u) << f;
  }

  // The control archive: conffiles and maintainer scripts that parse.
  TempDir control;
  ASSERT_EQ(RunCommand({"dpkg-deb", "-e", deb, control.File("DEBIAN")}, &out), 0) << out;
  EXPECT_EQ(ReadFile(control.File("DEBIAN/conffiles")), "/etc/footfall/footfall.toml\n");
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    const std::string path = control.File(std::string("DEBIAN/") + script);
    EXPECT_TRUE(IsExecutableFile(path)) << script;
    EXPECT_EQ(RunCommand({"sh", "-n", path}, &out), 0) << script << ": " << out;
  }
  EXPECT_NE(ReadFile(control.File("DEBIAN/postinst"))
                .find("systemd-sysusers /usr/lib/sysusers.d/footfall.conf"),
            std::string::npos);
  EXPECT_NE(ReadFile(control.File("DEBIAN/postinst")).find("daemon-reload"), std::string::npos);

  // The binary in the package runs (stripped, not broken).
  TempDir unpacked;
  ASSERT_EQ(RunCommand({"dpkg-deb", "-x", deb, unpacked.path()}, &out), 0) << out;
  std::string v2;
  EXPECT_EQ(RunCommand({unpacked.File("usr/sbin/footfalld"), "--version"}, &v2), 0) << v2;
  EXPECT_EQ(v2.rfind("footfalld " + version + "\n", 0), 0u) << v2;
  std::string help;
  EXPECT_EQ(RunCommand({unpacked.File("usr/bin/footfall-anonymize"), "--help"}, &help), 0) << help;
  EXPECT_NE(help.find("--keep-unparsed"), std::string::npos) << help;
}

}  // namespace
}  // namespace footfall::testing
