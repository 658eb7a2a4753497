// Purpose: validation of what footfalld publishes against the JSON Schemas of
// docs/schema/, for any test that receives MQTT messages. The validator is
// Debian's python3-jsonschema (draft 2020-12, run as /usr/bin/python3), one
// process per call. Every topic footfalld publishes has a schema: a message on
// a topic without one is reported as an error too, so a new topic cannot go
// undocumented.
#pragma once

#include <string>
#include <vector>

#include "support/test_support.h"

namespace footfall::testing {

// The schema file (docs/schema/*.json) for a topic, or "" if there is none:
// <base>/counts, <base>/status, <base>/info, <base>/buffer, <base>/today,
// <base>/signal and
// <prefix>/sensor/<id>/config (Home Assistant discovery).
std::string SchemaForTopic(const std::string& topic);

// Every violation, one line each ("<topic>: <where>: <why>"); empty if every
// message is valid.
std::vector<std::string> SchemaViolations(const std::vector<MqttMessage>& messages);

// One document against one schema file (a path relative to docs/schema/).
std::vector<std::string> SchemaViolations(const std::string& schema, const std::string& json);

}  // namespace footfall::testing
