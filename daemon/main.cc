// Purpose: footfalld's entry point: command line, logging, privacy hardening of
// the process, config loading (fatal errors exit 78 with every problem listed),
// then the pipeline (app.h) until the capture ends or a signal stops it.
#include <mqtt/async_client.h>
#include <pcap/pcap.h>
#include <sodium.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <iostream>

#include "daemon/app.h"
#include "daemon/config.h"
#include "daemon/exit_codes.h"
#include "daemon/mqtt_setup.h"
#include "daemon/privileges.h"
#include "hashing/seed_key_source.h"
#include "transport/mqtt_publisher.h"

namespace {

void SetUpLogging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    // Under systemd: structured entries with priorities in the journal.
    logger = std::make_shared<spdlog::logger>(
        "footfalld", std::make_shared<spdlog::sinks::systemd_sink_mt>("footfalld"));
    logger->set_pattern("%v");
  } else {
    logger = std::make_shared<spdlog::logger>("footfalld",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z footfalld[%P] %l: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

std::string VersionText() {
  std::string v = std::string("footfalld ") + FOOTFALL_VERSION + "\n";
  v += std::string(pcap_lib_version()) + "\n";
  v += std::string("libsodium ") + sodium_version_string() + "\n";
  v += mqtt::VERSION_STR + "\n";
  v += "spdlog " + std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
       std::to_string(SPDLOG_VER_PATCH) + "\n";
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  // No core dumps and no ptrace by other users' processes: keys and frames
  // in memory must not end up on disk (the unit also sets LimitCORE=0).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  CLI::App cli{"footfalld: anonymous footfall counts from Wi-Fi probe requests, over MQTT"};
  std::string config_path = "/etc/footfall/footfall.toml";
  bool check_only = false;
  bool version = false;
  std::string log_level;
  cli.add_option("-c,--config", config_path, "configuration file (TOML)");
  cli.add_flag("--check-config", check_only, "validate the configuration and exit (0 or 78)");
  cli.add_flag("--version", version, "print versions and exit");
  std::string provision_seed;
  cli.add_option("--provision-seed", provision_seed,
                 "write a new random site seed file for shared-key mode (for the configured "
                 "rotation schedule) to this path, and exit");
  bool list_settings = false;
  cli.add_flag("--list-settings", list_settings,
               "list every configuration key: section.key, live or restart on reload, what it is");
  cli.add_option("--log-level", log_level,
                 "override [log] level: trace, debug, info, warn, error, critical, off");
  CLI11_PARSE(cli, argc, argv);

  if (version) {
    std::cout << VersionText();
    return footfall::daemon::kExitOk;
  }
  if (list_settings) {
    for (const auto& s : footfall::daemon::Settings()) {
      const char* reload =
          s.reload == footfall::daemon::OnReload::kApplyLive ? "live   " : "restart";
      std::cout << s.name() << "  [" << reload << "]  " << s.doc << "\n";
    }
    return footfall::daemon::kExitOk;
  }

  auto loaded = footfall::daemon::LoadConfig(config_path);
  for (const auto& w : loaded.warnings) std::cerr << w << "\n";
  for (const auto& e : loaded.errors) std::cerr << e << "\n";
  if (!loaded.ok()) {
    std::cerr << config_path << ": " << loaded.errors.size()
              << " error(s); footfalld not started\n";
    return footfall::daemon::kExitConfig;
  }
  if (check_only) {
    std::cout << config_path << ": configuration OK\n";
    return footfall::daemon::kExitOk;
  }
  if (!provision_seed.empty()) {
    try {
      const auto& c = loaded.config;
      std::unique_ptr<footfall::hashing::RotationSchedule> schedule =
          footfall::hashing::MakeSchedule(c.rotation);
      footfall::hashing::ProvisionSeedFile(provision_seed, *schedule,
                                           std::chrono::system_clock::now());
      std::cout << provision_seed << ": new site seed for rotation " << schedule->Describe()
                << "; copy it (mode 0600) to every sensor of the site\n";
      return footfall::daemon::kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "footfalld: " << e.what() << "\n";
      return footfall::daemon::kExitFailure;
    }
  }
  footfall::daemon::Config config = loaded.config;
  if (!log_level.empty()) config.log_level = log_level;
  SetUpLogging(config.log_level);

  if (sodium_init() < 0) {
    spdlog::critical("libsodium failed to initialise");
    return footfall::daemon::kExitSoftware;
  }
  try {
    boost::asio::io_context io;
    // Journal under [state] dir, TLS, password (credential or file), info and
    // Home Assistant discovery: daemon/mqtt_setup.h.
    footfall::transport::MqttOptions mqtt = footfall::daemon::MqttOptionsFrom(config);
    footfall::transport::MqttEvents events;
    events.on_connected = [uri = config.broker.uri] { spdlog::info("MQTT connected to {}", uri); };
    events.on_connection_lost = [](const std::string& why) {
      spdlog::warn("MQTT connection lost: {}; buffering and reconnecting", why);
    };
    events.on_connect_failed = [](const std::string& why) {
      spdlog::warn("MQTT connect failed: {}; retrying", why);
    };
    // The capture, the state and the seed are opened first; then privileges
    // are dropped (privileges.h), before the MQTT client starts its threads.
    footfall::daemon::App app(
        config, io,
        [&]() -> std::unique_ptr<footfall::transport::Publisher> {
          return std::make_unique<footfall::transport::MqttPublisher>(mqtt, std::move(events));
        },
        [&] {
          footfall::daemon::PrivilegeRequest request;
          request.user = config.user;
          request.state_dir = config.state_dir;
          if (!config.shared_seed_file.empty()) {
            request.extra_files.push_back(config.shared_seed_file);
          }
          const bool root_to_user = geteuid() == 0 && !config.user.empty();
          const auto outcome = footfall::daemon::DropPrivileges(request);
          if (!outcome.warning.empty()) spdlog::warn("{}", outcome.warning);
          for (const footfall::capture::SourceSpec& source : config.sources) {
            if (root_to_user && source.kind == footfall::capture::SourceSpec::Kind::kLive) {
              spdlog::warn(
                  "{}: with no capability left, an interface that is missing or goes "
                  "away cannot be reopened; run footfalld as a user with CAP_NET_RAW "
                  "(the systemd unit does) rather than as root with [process] user",
                  source.ToString());
              break;
            }
          }
          spdlog::info("privileges: {}", outcome.summary);
        });
    app.EnableReload(config_path, log_level);  // SIGHUP
    return app.Run();
  } catch (const footfall::capture::SourceError& e) {
    // The configured source cannot be used as configured (a file that is
    // not there, an interface that is not in monitor mode, no CAP_NET_RAW):
    // a restart would not help. (A missing interface is waited for instead.)
    spdlog::critical("{}", e.what());
    return footfall::daemon::kExitConfig;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return footfall::daemon::kExitFailure;
  }
}
