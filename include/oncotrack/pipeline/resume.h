#pragma once
// Resume that cannot be fooled: a subject's result in OUT counts as done only when it is a whole document of
// status "ok" recording the fingerprint of what the current run would compute. Anything else (no result, a
// failure, other inputs, config, model or tool version) is recomputed; `--force` recomputes every subject.
#include <filesystem>
#include <string>

#include "oncotrack/io/cohort.h"
#include "oncotrack/pipeline/run.h"

namespace oncotrack::pipeline {

// SHA-256 (hex) of everything a subject's result depends on: the tool (version, git commit), the stage, the
// resolved config, the network model and CEST-MRF reconstruction (their SHA-256), the tumour source, and the
// subject's entry with the SHA-256 of every file it names (an unreadable file hashes as "unreadable").
std::string subject_fingerprint(const io::SubjectEntry& subject, const RunOptions& options);

// True when result_file parses as JSON with status "ok" and provenance.fingerprint == fingerprint.
bool up_to_date(const std::filesystem::path& result_file, const std::string& fingerprint);

// Before a subject is recomputed: removes its result and error.json, and write_atomically's temporaries that
// a killed run left in its folder, so nothing stale or half-written is left looking done.
void clear_stale(const std::filesystem::path& result_file, const std::filesystem::path& error_file);

// Removes the temporaries of `name` (write_atomically's) directly in folder: those a killed run left there.
// Only the one job that writes `name` may call it (another job's temporary may be in flight).
void clear_stale_temporaries(const std::filesystem::path& folder, const std::string& name);

}  // namespace oncotrack::pipeline
