// Purpose: the footfall-anonymize command (installed beside footfalld): rewrites
// a pcap or pcapng capture of 802.11 frames so that it identifies no one
// (anonymizer.h says what changes and what stays), prints what it changed.
// Exit 0 done; 65 the input cannot be anonymized (nothing written); 64 usage.
#include <sys/prctl.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/anonymize/anonymizer.h"
#include "tools/anonymize/capture_file.h"

int main(int argc, char** argv) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // the key and the frames stay out of core files
  CLI::App cli{
      "footfall-anonymize: rewrite a Wi-Fi capture (pcap or pcapng, 802.11) so that it can be "
      "handed to someone: addresses, SSIDs and device names replaced, all else kept"};
  std::string input;
  std::string output;
  footfall::anonymize::Options options;
  std::string shift;
  cli.add_option("input", input, "capture to read (pcap or pcapng)")->required();
  cli.add_option("output", output, "anonymized capture to write (same format)")->required();
  cli.add_option("--key-file", options.key_file,
                 "the same mapping across runs: a 32-byte key (raw, or 64 hex digits); "
                 "created with a new random key (mode 0600) if it does not exist");
  cli.add_flag("--hide-oui", options.hide_oui,
               "replace the vendor prefix of global addresses too (the group and "
               "locally-administered bits still stay)");
  cli.add_flag("--keep-unparsed", options.keep_unparsed,
               "copy records that cannot be parsed whole with their addresses zeroed "
               "(default: refuse the file)");
  cli.add_option("--shift-time", shift, "add S seconds (may be negative, decimals) to every time");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? 0 : 64;
  }
  try {
    if (!shift.empty()) options.shift_ns = footfall::anonymize::ParseShiftNs(shift);
    const auto summary = footfall::anonymize::AnonymizeFile(input, output, options);
    std::cout << "footfall-anonymize: " << input << " -> " << output << "\n"
              << footfall::anonymize::FormatSummary(summary);
    return 0;
  } catch (const footfall::anonymize::AnonymizeError& e) {
    std::cerr << "footfall-anonymize: " << input << ": " << e.what() << "\n";
    return 65;
  }
}
