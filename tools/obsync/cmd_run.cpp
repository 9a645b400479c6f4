// obsync run and obsync status: the project end to end (schema → full → incremental) with its
// checkpoint in the state directory, and what that checkpoint says.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "compiler/sema/route.hpp"
#include "runtime/pipeline/pipeline.hpp"
#include "runtime/sink/kafka_sink.hpp"
#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/change_reader.hpp"
#include "runtime/source/full_sync.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/source/source_config.hpp"
#include "runtime/state/checkpoint.hpp"
#include "tools/obsync/commands.hpp"
#include "tools/obsync/metrics_server.hpp"

namespace obsync::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<source::ChangeReader*> g_run_reader{nullptr};
extern "C" void on_run_signal(int) {
  g_stop = true;
  if (auto* r = g_run_reader.load()) r->stop();
}

std::string now_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool g_tty = false;        // stderr is a terminal: progress lines are redrawn in place
bool g_progress_open = false;  // a progress line is on the screen without its newline

void log_line(const std::string& line) {
  if (g_progress_open) std::cerr << "\r\033[K";
  g_progress_open = false;
  std::cerr << now_text() << " " << line << "\n";
}

// A progress line: redrawn in place on a terminal; a log line otherwise (the caller throttles).
void progress_line(const std::string& line) {
  if (!g_tty) {
    log_line(line);
    return;
  }
  std::cerr << "\r\033[K" << line << std::flush;
  g_progress_open = true;
}

std::string eta_text(double seconds) {
  if (seconds <= 0 || seconds > 360000) return "-";
  int s = static_cast<int>(seconds);
  return s >= 3600 ? fmt::format("{}:{:02d}:{:02d}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02d}", s / 60, s % 60);
}

// Prometheus text exposition of the run's counters.
std::string render_metrics(const pipeline::PipelineStats& st, const std::string& project, const std::string& phase) {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& samples) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{}", name, help, name, type, samples);
  };
  std::string p = fmt::format("project=\"{}\"", project);
  metric("obsync_changes_total", "counter", "Row changes read from the source (in scope).",
         fmt::format("obsync_changes_total{{{}}} {}\n", p, st.rows_in));
  std::string per_table;
  for (const auto& [table, n] : st.rows_per_table)
    per_table += fmt::format("obsync_messages_total{{{},table=\"{}\"}} {}\n", p, table, n);
  metric("obsync_messages_total", "counter", "Messages produced, per source table.", per_table);
  metric("obsync_messages_acked_total", "counter", "Messages the broker acknowledged.",
         fmt::format("obsync_messages_acked_total{{{}}} {}\n", p, st.acked));
  metric("obsync_bytes_total", "counter", "Key and value bytes produced.",
         fmt::format("obsync_bytes_total{{{}}} {}\n", p, st.bytes));
  metric("obsync_transactions_total", "counter", "Source transactions read.",
         fmt::format("obsync_transactions_total{{{}}} {}\n", p, st.transactions));
  metric("obsync_errors_total", "counter", "Messages the broker refused or that timed out.",
         fmt::format("obsync_errors_total{{{}}} {}\n", p, st.delivery_errors));
  metric("obsync_checkpoints_total", "counter", "Checkpoint writes.",
         fmt::format("obsync_checkpoints_total{{{}}} {}\n", p, st.checkpoints));
  double lag = st.last_commit_ts_us
                   ? std::max(0.0, std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
                                       static_cast<double>(st.last_commit_ts_us) / 1e6)
                   : 0.0;
  metric("obsync_lag_seconds", "gauge", "Time since the source commit of the last acknowledged transaction.",
         fmt::format("obsync_lag_seconds{{{}}} {:.3f}\n", p, lag));
  metric("obsync_phase", "gauge", "The step running now (1 for the current phase).",
         fmt::format("obsync_phase{{{},phase=\"{}\"}} 1\n", p, phase));
  return out;
}

std::string default_state_dir(const Plan& plan) {
  std::string name;
  for (char c : plan.project.name) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return ".obsync/" + name;
}

struct RunArgs {
  std::string script;
  std::string state_dir;
  std::string engine = "jit";
  int stop_after_idle = 0;  // seconds without changes after which run ends (tests, demos); 0: never
  int metrics_port = -1;    // -1: no metrics endpoint
  std::string metrics_address = "0.0.0.0";
};

int run_project(const RunArgs& args) {
  g_tty = isatty(STDERR_FILENO) != 0;
  Program program;
  Plan unchecked;
  if (!load_plan(args.script, program, unchecked, nullptr)) return kExitFailure;
  std::string error;
  auto source_config = source::source_config_from_plan(unchecked, error);
  if (!source_config) {
    log_line("error: " + error);
    return kExitFailure;
  }
  auto sink_config = sink::sink_config_from_plan(unchecked, error);
  if (!sink_config) {
    log_line("error: " + error);
    return kExitFailure;
  }
  std::string state_dir = args.state_dir.empty() ? default_state_dir(unchecked) : args.state_dir;
  auto lock = state::StateLock::acquire(state_dir, error);
  if (!lock) {
    log_line("error: " + error);
    return kExitFailure;
  }
  auto saved = state::read_checkpoint(state_dir, error);
  if (!saved && !error.empty()) {
    log_line("error: " + error);
    return kExitFailure;
  }
  state::Checkpoint checkpoint = saved ? *saved : state::Checkpoint{};
  checkpoint.project = unchecked.project.name;
  if (saved)
    log_line(fmt::format("resuming {} from {} ({} transactions so far)", state::checkpoint_path(state_dir),
                         checkpoint.position.empty() ? std::string("the full sync") : checkpoint.position.to_string(),
                         checkpoint.transactions));

  std::signal(SIGINT, on_run_signal);
  std::signal(SIGTERM, on_run_signal);
  try {
    source::SqlConnection sql(*source_config, source_config->sql);
    log_line(fmt::format("source {} ({})", source_config->describe(source_config->sql), sql.server_version()));
    source::SchemaHistory history;
    bool from_checkpoint = false;
    if (!checkpoint.schema_history.empty()) {
      auto h = source::SchemaHistory::from_json(checkpoint.schema_history, error);
      if (!h) {
        log_line(fmt::format("error: the checkpoint's schema history is damaged: {}; remove {} to start over", error,
                             state::checkpoint_path(state_dir)));
        return kExitFailure;
      }
      history = std::move(*h);
      from_checkpoint = true;
    } else {
      history.load_catalog(sql, source::current_position(sql));
    }
    // The script checked against the live schema: tables matched, expressions typed.
    Schema schema = history.current_schema();
    DiagnosticSink diags;
    CheckOptions options;
    options.schema = &schema;
    Plan plan = check_program(program, options, diags);
    diags.sort_by_location();
    for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources, use_color()) << "\n";
    if (diags.has_errors()) {
      log_line("error: the script does not fit the source's schema; fix it (obsync check --schema <(obsync schema "
               "pull SCRIPT))");
      return kExitFailure;
    }

    pipeline::Pipeline* pipe_ptr = nullptr;
    sink::SinkError sink_error;
    auto sink = sink::KafkaSink::create(
        *sink_config,
        [&pipe_ptr](uint64_t ticket, const sink::SinkError& e) {
          if (pipe_ptr) pipe_ptr->delivered(ticket, e);
        },
        sink_error);
    if (!sink) {
      log_line("error: " + sink_error.message);
      return kExitFailure;
    }
    pipeline::PipelineOptions popts;
    popts.state_dir = state_dir;
    popts.source_kind = std::string(source::source_kind_name(source_config->kind));
    popts.source_name = source_config->name;
    pipeline::split_ob_user(source_config->user, popts.tenant, popts.cluster);
    popts.source_version = sql.server_version();
    popts.use_jit = args.engine == "jit";
    try {
      if (auto id = sql.scalar("SELECT @@server_id")) popts.source_server_id = static_cast<uint32_t>(std::stoul(*id));
    } catch (const source::SourceError&) {
    }
    pipeline::Pipeline pipe(program, plan, history, *sink, checkpoint, popts);
    pipe_ptr = &pipe;
    pipe.set_log(log_line);
    if (plan.project.exactly_once)
      log_line("warning: DELIVERY EXACTLY ONCE is not implemented yet: this run delivers at least once (no change "
               "is lost; messages in flight at a crash are sent again)");

    std::atomic<const char*> phase{"schema"};
    MetricsServer metrics;
    if (args.metrics_port >= 0) {
      if (!metrics.start(args.metrics_address, static_cast<unsigned>(args.metrics_port),
                         [&] { return render_metrics(pipe.stats(), plan.project.name, phase.load()); }, error)) {
        log_line("error: " + error);
        return kExitFailure;
      }
      log_line(fmt::format("metrics on http://{}:{}/metrics", args.metrics_address, metrics.port()));
    }

    // SCHEMA: topics.
    pipe.prepare_topics(plan.project.schema_step, log_line);

    // FULL: each table, resumable per table.
    if (plan.project.full && !checkpoint.full_sync_done && !g_stop) {
      phase = "full";
      if (checkpoint.full_sync_start.empty()) {
        // Taken before the first chunk: the incremental sync continues from here, so rows changed
        // during the copy arrive again (at least once), never not at all.
        checkpoint.full_sync_start = source::current_position(sql);
        if (!from_checkpoint) checkpoint.schema_history = history.to_json(checkpoint.full_sync_start);
        if (!state::write_checkpoint(state_dir, checkpoint, error)) throw pipeline::PipelineError(error);
      }
      int64_t copy_ts = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
      for (const auto& s : plan.syncs) {
        for (const auto& t : s.tables) {
          if (g_stop) break;
          std::string key = t.database + "." + t.table;
          auto done = checkpoint.full_sync.find(key);
          if (done != checkpoint.full_sync.end() && done->second.done) continue;
          source::FullSyncTable ft;
          ft.database = t.database;
          ft.table = t.table;
          ft.schema = t.schema;
          if (s.stmt->where)
            if (auto where = source::pushdown_sql(*s.stmt->where, t.schema)) ft.where_sql = *where;
          // Rows copied by earlier runs: progress counts the whole table, not this run's share.
          uint64_t prior = 0;
          if (done != checkpoint.full_sync.end()) {
            ft.resume_after = done->second.last_key;
            prior = done->second.rows;
          }
          source::FullSyncOptions fo;
          auto started = std::chrono::steady_clock::now();
          auto last_log = started;
          source::copy_table(
              sql, ft, fo,
              [&](RowBatch& batch) {
                if (g_stop) throw pipeline::PipelineError("stopped");
                pipe.full_sync_batch(batch, copy_ts);
                pipe.service();
              },
              [&](const source::FullSyncProgress& p) {
                pipe.full_sync_progress(key, prior + p.rows_done, p.last_key, p.done);
                auto now = std::chrono::steady_clock::now();
                std::string line = fmt::format(
                    "full sync {}: {} of ~{} rows{} ({:.0f} rows/s, ETA {})", key, prior + p.rows_done, p.rows_estimated,
                    p.done ? ", done" : "", p.rows_per_second,
                    p.done ? std::string("0:00")
                           : eta_text(p.rows_per_second > 0 && p.rows_estimated > prior + p.rows_done
                                          ? static_cast<double>(p.rows_estimated - prior - p.rows_done) /
                                                p.rows_per_second
                                          : 0));
                if (p.done) log_line(line);
                else if (g_tty || now - last_log > std::chrono::seconds(2)) {
                  last_log = now;
                  progress_line(line);
                }
              });
          if (!pipe.drain(std::chrono::minutes(5)))
            throw pipeline::PipelineError(fmt::format("full sync of {}: the broker did not acknowledge every message "
                                                      "within 5 minutes",
                                                      key));
        }
      }
      if (!g_stop) {
        pipe.drain(std::chrono::minutes(5));
        checkpoint.full_sync_done = true;
        if (checkpoint.position.empty()) checkpoint.position = checkpoint.full_sync_start;
        if (!state::write_checkpoint(state_dir, checkpoint, error)) throw pipeline::PipelineError(error);
        log_line("full sync done");
      }
    }

    // INCREMENTAL: from the checkpoint, else where the full sync started, else START AT.
    if (plan.project.incremental && !g_stop) {
      source::BinlogPosition start = checkpoint.position;
      if (start.empty()) {
        auto sp = source::parse_start_position(plan.project.start_at, error);
        if (!sp) throw pipeline::PipelineError("START AT: " + error);
        start = source::resolve_start(*source_config, sql, *sp).position;
        checkpoint.position = start;
        checkpoint.schema_history = history.to_json(start);
        if (!state::write_checkpoint(state_dir, checkpoint, error)) throw pipeline::PipelineError(error);
      }
      phase = "incremental";
      log_line(fmt::format("incremental sync from {}", start.to_string()));
      source::ChangeReaderOptions ro;
      ro.in_scope = [&plan](std::string_view db, std::string_view table) { return route_table(plan, db, table) >= 0; };
      source::ChangeReader reader(*source_config, history, pipe, ro);
      g_run_reader = &reader;
      pipe.set_on_failure([&reader] { reader.stop(); });
      std::atomic<bool> reading{true};
      std::exception_ptr failure;
      std::thread thread([&] {
        try {
          reader.run(start);
        } catch (...) {
          failure = std::current_exception();
        }
        reading = false;
      });
      // Progress lines every 5 s; an idle timeout for demos and tests.
      uint64_t last_rows = 0, seen_rows = 0;
      auto last_change = std::chrono::steady_clock::now();
      auto last_log = last_change;
      while (reading) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        auto st = pipe.stats();
        auto now = std::chrono::steady_clock::now();
        if (st.rows_in != seen_rows) {
          seen_rows = st.rows_in;
          last_change = now;
        }
        if (now - last_log >= std::chrono::seconds(g_tty ? 1 : 5)) {
          double lag = st.last_commit_ts_us
                           ? std::max(0.0, std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                                                   .count() -
                                               st.last_commit_ts_us / 1e6)
                           : 0.0;
          progress_line(fmt::format("incremental: {} transactions, {} changes, {} messages ({} acknowledged), lag "
                                    "{:.1f} s, {:.0f} changes/s",
                                    st.transactions, st.rows_in, st.messages, st.acked, lag,
                                    (st.rows_in - last_rows) / std::chrono::duration<double>(now - last_log).count()));
          last_log = now;
          last_rows = st.rows_in;
        }
        if (args.stop_after_idle > 0 && now - last_change > std::chrono::seconds(args.stop_after_idle)) reader.stop();
      }
      thread.join();
      g_run_reader = nullptr;
      if (failure) std::rethrow_exception(failure);
    }
    pipe.drain(std::chrono::minutes(1));
    auto st = pipe.stats();
    log_line(fmt::format("stopped cleanly: {} messages acknowledged, checkpoint at {}", st.acked,
                         checkpoint.position.empty() ? std::string("(none)") : checkpoint.position.to_string()));
  } catch (const source::SourceError& e) {
    log_line(std::string("error: ") + e.what());
    log_line(fmt::format("the checkpoint stays at {}; run again to resume", checkpoint.position.empty()
                                                                                  ? std::string("the start")
                                                                                  : checkpoint.position.to_string()));
    return kExitFailure;
  } catch (const pipeline::PipelineError& e) {
    if (g_stop && std::string(e.what()) == "stopped") {
      log_line("stopped during the full sync; run again to resume");
      return kExitOk;
    }
    log_line(std::string("error: ") + e.what());
    log_line(fmt::format("the checkpoint stays at {}; run again to resume once the cause is fixed",
                         checkpoint.position.empty() ? std::string("the start") : checkpoint.position.to_string()));
    return kExitFailure;
  }
  return kExitOk;
}

struct StatusArgs {
  std::string script;
  std::string state_dir;
};

int run_status(const StatusArgs& args) {
  Program program;
  Plan plan;
  if (!load_plan(args.script, program, plan, nullptr)) return kExitFailure;
  std::string state_dir = args.state_dir.empty() ? default_state_dir(plan) : args.state_dir;
  std::string error;
  auto cp = state::read_checkpoint(state_dir, error);
  if (!cp) {
    if (!error.empty()) {
      std::cerr << "error: " << error << "\n";
      return kExitFailure;
    }
    std::cout << fmt::format("project {}: not started (no checkpoint in {})\n", plan.project.name, state_dir);
    return kExitOk;
  }
  std::cout << fmt::format("project {}\n", plan.project.name);
  std::cout << fmt::format("  checkpoint   {} (written {})\n", state::checkpoint_path(state_dir), cp->updated_at);
  std::cout << fmt::format("  position     {}\n", cp->position.empty() ? std::string("-") : cp->position.to_string());
  std::cout << fmt::format("  transactions {}\n", cp->transactions);
  if (cp->last_commit_ts_us) {
    std::time_t t = static_cast<std::time_t>(cp->last_commit_ts_us / 1000000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    double lag = static_cast<double>(std::time(nullptr)) - static_cast<double>(t);
    std::cout << fmt::format("  last commit  {} UTC ({:.0f} s ago){}\n", buf, lag,
                             cp->last_gtid.empty() ? "" : fmt::format(", gtid {}", cp->last_gtid));
  }
  std::cout << fmt::format("  full sync    {}\n", cp->full_sync_done ? "done" : cp->full_sync.empty() ? "not started" : "in progress");
  for (const auto& [table, p] : cp->full_sync)
    std::cout << fmt::format("    {:<30} {:>12} rows  {}\n", table, p.rows, p.done ? "done" : "in progress");
  return kExitOk;
}

}  // namespace

void register_run(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run the project: schema → full sync → incremental sync, resuming from its "
                                        "checkpoint (exit 0 stopped cleanly, 1 error)");
  cmd->add_option("script", args->script, "script file")->required();
  cmd->add_option("--state-dir", args->state_dir, "state directory (default .obsync/<project>)");
  cmd->add_option("--engine", args->engine,
                  "WHERE engine: jit (native kernels where they compile, the interpreter elsewhere; default) or "
                  "interp (the reference interpreter only)")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--metrics-port", args->metrics_port,
                  "serve Prometheus metrics on this port (GET /metrics); 0: any free port")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--metrics-address", args->metrics_address, "address the metrics endpoint listens on (default 0.0.0.0)");
  cmd->add_option("--stop-after-idle", args->stop_after_idle,
                  "end the incremental sync after this many seconds without a change (demos, tests)");
  cmd->callback([args, &action] { action = [args] { return run_project(*args); }; });

  auto sargs = std::make_shared<StatusArgs>();
  auto* status = app.add_subcommand("status", "Show the project's checkpoint and full-sync progress");
  status->add_option("script", sargs->script, "script file")->required();
  status->add_option("--state-dir", sargs->state_dir, "state directory (default .obsync/<project>)");
  status->callback([sargs, &action] { action = [sargs] { return run_status(*sargs); }; });
}

}  // namespace obsync::cli
