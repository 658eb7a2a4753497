// Purpose: implementation of the schema validation helper (see schema_check.h).
#include "support/schema_check.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace footfall::testing {
namespace {

using nlohmann::json;

// Reads [{"schema": path, "instance": value}, ...] from argv[1]; prints one
// line per violation as "<index>\t<path in the instance>: <message>".
constexpr const char* kValidator = R"PY(
import json, sys
import jsonschema
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
cases = json.load(open(sys.argv[1]))
cache = {}
for i, case in enumerate(cases):
    path = case["schema"]
    if path not in cache:
        schema = json.load(open(path))
        cls = validator_for(schema)
        cls.check_schema(schema)
        cache[path] = cls(schema, format_checker=FormatChecker())
    for e in cache[path].iter_errors(case["instance"]):
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        print("%d\t%s: %s" % (i, where, e.message))
)PY";

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> Run(const json& cases, const std::vector<std::string>& labels) {
  TempDir dir;
  WriteFile(dir.File("cases.json"), cases.dump());
  std::string out;
  const int rc = RunCommand({"/usr/bin/python3", "-c", kValidator, dir.File("cases.json")}, &out);
  if (rc != 0) {
    throw std::runtime_error("the schema validator failed (is python3-jsonschema installed?): " +
                             out);
  }
  std::vector<std::string> errors;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      errors.push_back(line);
      continue;
    }
    const std::size_t i = std::stoul(line.substr(0, tab));
    errors.push_back((i < labels.size() ? labels[i] : "?") + ": " + line.substr(tab + 1));
  }
  return errors;
}

}  // namespace

std::string SchemaForTopic(const std::string& topic) {
  const std::string dir = SourceDir() + "/docs/schema/";
  if (EndsWith(topic, "/counts")) return dir + "counts-v3.json";
  if (EndsWith(topic, "/status")) return dir + "status-v1.json";
  if (EndsWith(topic, "/info")) return dir + "info-v1.json";
  if (EndsWith(topic, "/buffer")) return dir + "buffer-v1.json";
  if (EndsWith(topic, "/clock")) return dir + "clock-v1.json";
  if (EndsWith(topic, "/today")) return dir + "today-v1.json";
  if (EndsWith(topic, "/signal")) return dir + "signal-v1.json";
  if (topic.find("/sensor/") != std::string::npos && EndsWith(topic, "/config")) {
    return dir + "homeassistant-sensor-config.json";
  }
  return "";
}

std::vector<std::string> SchemaViolations(const std::vector<MqttMessage>& messages) {
  json cases = json::array();
  std::vector<std::string> labels;
  std::vector<std::string> errors;
  for (const MqttMessage& m : messages) {
    const std::string schema = SchemaForTopic(m.topic);
    if (schema.empty()) {
      errors.push_back(m.topic + ": no schema for this topic");
      continue;
    }
    json instance;
    if (EndsWith(m.topic, "/status")) {
      instance = m.payload;  // plain text, validated as a JSON string
    } else {
      try {
        instance = json::parse(m.payload);
      } catch (const json::parse_error& e) {
        errors.push_back(m.topic + ": not JSON: " + e.what());
        continue;
      }
    }
    cases.push_back({{"schema", schema}, {"instance", instance}});
    labels.push_back(m.topic);
  }
  if (!cases.empty()) {
    for (auto& e : Run(cases, labels)) errors.push_back(std::move(e));
  }
  return errors;
}

std::vector<std::string> SchemaViolations(const std::string& schema, const std::string& text) {
  json cases = json::array();
  cases.push_back(
      {{"schema", SourceDir() + "/docs/schema/" + schema}, {"instance", json::parse(text)}});
  return Run(cases, {schema});
}

}  // namespace footfall::testing
