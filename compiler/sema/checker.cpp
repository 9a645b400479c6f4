// Semantic checks: declarations, project options, SYNC rules, schema resolution.
#include "stdlib/ascii.hpp"
#include "compiler/sema/checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "compiler/sema/binder.hpp"
#include "stdlib/charset.hpp"
#include "stdlib/temporal.hpp"

namespace obsync {
namespace {



// Letters of any script, digits, underscore: the project-name rule.
bool valid_project_name(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) continue;  // non-ASCII: letters of other scripts (validated as UTF-8 below)
    if (!std::isalnum(c) && c != '_') return false;
  }
  return true;
}

bool valid_topic_chars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

struct PropertySpec {
  const char* key;
  enum Kind { Text, Integer, Word, Map } kind;
  bool required;
  bool secret;
};

constexpr PropertySpec kSourceProperties[] = {
    {"host", PropertySpec::Text, true, false},
    {"port", PropertySpec::Integer, false, false},
    {"user", PropertySpec::Text, true, false},
    {"password", PropertySpec::Text, false, true},
    {"binlog", PropertySpec::Text, false, false},
    {"server_id", PropertySpec::Integer, false, false},
    {"ssl_mode", PropertySpec::Word, false, false},
    {"ssl_ca", PropertySpec::Text, false, false},
    {"ssl_cert", PropertySpec::Text, false, false},
    {"ssl_key", PropertySpec::Text, false, true},
    {"connect_timeout", PropertySpec::Integer, false, false},
    {"read_timeout", PropertySpec::Integer, false, false},
    {"heartbeat", PropertySpec::Integer, false, false},
};

constexpr PropertySpec kSinkProperties[] = {
    {"bootstrap", PropertySpec::Text, true, false},
    {"version", PropertySpec::Text, false, false},
    {"security", PropertySpec::Word, false, false},
    {"sasl_mechanism", PropertySpec::Text, false, false},
    {"sasl_user", PropertySpec::Text, false, false},
    {"sasl_password", PropertySpec::Text, false, true},
    {"ssl_ca", PropertySpec::Text, false, false},
    {"ssl_cert", PropertySpec::Text, false, false},
    {"ssl_key", PropertySpec::Text, false, true},
    {"ssl_key_password", PropertySpec::Text, false, true},
    {"client_id", PropertySpec::Text, false, false},
    {"properties", PropertySpec::Map, false, false},
};

bool secret_key(std::string_view key) {
  std::string k = lower(key);
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         k == "ssl_key" || k == "ssl.key.pem" || k.find("sasl.jaas") != std::string::npos ||
         k.find("oauthbearer.config") != std::string::npos;
}

std::vector<int> parse_version(std::string_view v) {
  std::vector<int> parts;
  int cur = -1;
  for (char c : v) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      cur = (cur < 0 ? 0 : cur) * 10 + (c - '0');
      if (cur > 100000) return {};
    } else if (c == '.' && cur >= 0) {
      parts.push_back(cur);
      cur = -1;
    } else {
      return {};
    }
  }
  if (cur < 0) return {};
  parts.push_back(cur);
  return parts;
}

class Checker {
 public:
  Checker(const Program& program, const CheckOptions& options, DiagnosticSink& diags)
      : program_(program), options_(options), diags_(diags) {}

  Plan run() {
    const ast::ProjectDecl* project = nullptr;
    SourceSpan project_span;
    for (const auto& file : program_.files) {
      for (const auto& st : file.script.statements) {
        switch (st.kind) {
          case ast::StatementKind::Include: break;
          case ast::StatementKind::Source: connection(st, true); break;
          case ast::StatementKind::Sink: connection(st, false); break;
          case ast::StatementKind::Project:
            if (project) {
              diags_.error("E0101", st.project.name.span.end ? st.project.name.span : st.span,
                           "a script has exactly one PROJECT; this is the second",
                           fmt::format("the first is `{}`; split the script into one file per project",
                                       project->name.text));
            } else {
              project = &st.project;
              project_span = st.span;
            }
            break;
          case ast::StatementKind::Sync: break;
        }
      }
    }
    for (const auto& file : program_.files) incomplete_ |= file.script.dropped_statements > 0;
    incomplete_ |= program_.failed_includes > 0;
    bool declarations_only = true;  // an include library: SOURCE/SINK/INCLUDE only
    for (const auto& file : program_.files)
      for (const auto& st : file.script.statements)
        if (st.kind == ast::StatementKind::Sync || st.kind == ast::StatementKind::Project) declarations_only = false;
    if (!project && incomplete_) {
      // The PROJECT may be among the statements with syntax errors: say nothing more.
    } else if (!project && declarations_only && plan_.sources.size() + plan_.sinks.size() > 0) {
      // Shared declarations checked on their own: nothing is missing.
    } else if (!project) {
      if (!program_.files.empty() && !program_.files[0].script.statements.empty())
        diags_.error("E0100", {program_.files[0].script.file, 0, 0}, "the script has no PROJECT statement",
                     "add `PROJECT name;` (one per script)");
      else if (!program_.files.empty())
        diags_.error("E0100", {program_.files[0].script.file, 0, 0}, "the script is empty",
                     "a script needs a PROJECT statement and at least one SYNC");
    } else {
      this->project(*project, project_span);
    }
    for (const auto& file : program_.files)
      for (const auto& st : file.script.statements)
        if (st.kind == ast::StatementKind::Sync)
          for (const auto& ref : st.sync.tables)
            if (ref.kind == ast::TableRefKind::Exact) exact_refs_.emplace_back(ref.database.text, ref.table.text);
    bool any_sync = false;
    for (const auto& file : program_.files)
      for (const auto& st : file.script.statements)
        if (st.kind == ast::StatementKind::Sync) {
          any_sync = true;
          sync(st);
        }
    if (!any_sync && project && !incomplete_)  // a SYNC with syntax errors is still a SYNC
      diags_.warning("W0004", project->name.span, "the project has no SYNC statement: it synchronizes nothing",
                     "add `SYNC db.table TO TOPIC name;`");
    check_overlaps();
    check_topic_conflicts();
    return std::move(plan_);
  }

 private:
  // --- SOURCE / SINK ---------------------------------------------------------------
  void connection(const ast::Statement& st, bool is_source) {
    const ast::ConnectionDecl& decl = st.connection;
    for (const auto& [name, span] : declared_names_) {
      if (iequals(name, decl.name.text)) {
        diags_.error("E0120", decl.name.span, fmt::format("`{}` is declared twice", decl.name.text),
                     "SOURCE and SINK names share one namespace; rename one of them");
        (is_source ? sources_dropped_ : sinks_dropped_) = true;
        return;
      }
    }
    declared_names_.emplace_back(decl.name.text, decl.name.span);
    ConnectionPlan plan;
    plan.name = decl.name.text;
    plan.kind = upper(decl.kind.text);
    std::span<const PropertySpec> specs;
    if (is_source) {
      static const std::vector<std::string> kinds = {"OCEANBASE", "MYSQL", "MARIADB"};
      if (std::find(kinds.begin(), kinds.end(), plan.kind) == kinds.end()) {
        std::string guess = closest_match(decl.kind.text, kinds);
        diags_.error("E0121", decl.kind.span, fmt::format("unknown source kind `{}`", decl.kind.text),
                     guess.empty() ? "a SOURCE is OCEANBASE, MYSQL or MARIADB"
                                   : fmt::format("did you mean `{}`?", guess));
      }
      specs = kSourceProperties;
    } else {
      if (plan.kind != "KAFKA")
        diags_.error("E0121", decl.kind.span, fmt::format("unknown sink kind `{}`", decl.kind.text),
                     "a SINK is KAFKA");
      specs = kSinkProperties;
    }
    std::set<std::string> seen;
    std::vector<std::string> spec_names;
    for (const auto& s : specs) spec_names.emplace_back(s.key);
    for (const auto& prop : decl.properties) {
      std::string key = lower(prop.key.text);
      if (!seen.insert(key).second) {
        diags_.error("E0124", prop.key.span, fmt::format("property `{}` is given twice", prop.key.text),
                     "keep one of them");
        continue;
      }
      const PropertySpec* spec = nullptr;
      for (const auto& s : specs)
        if (key == s.key) spec = &s;
      if (!spec) {
        std::string guess = closest_match(prop.key.text, spec_names);
        diags_.error("E0122", prop.key.span,
                     fmt::format("unknown {} property `{}`", is_source ? "SOURCE" : "SINK", prop.key.text),
                     guess.empty() ? fmt::format("known properties: {}", fmt::join(spec_names, ", "))
                                   : fmt::format("did you mean `{}`?", guess));
        continue;
      }
      plan.properties.push_back(property(prop, *spec, is_source));
    }
    for (const auto& s : specs)
      if (s.required && !seen.count(s.key))
        diags_.error("E0123", decl.name.span,
                     fmt::format("{} `{}` has no `{}` property", is_source ? "SOURCE" : "SINK", decl.name.text, s.key),
                     fmt::format("add `{} = '...'`", s.key));
    (is_source ? plan_.sources : plan_.sinks).push_back(std::move(plan));
  }

  PlanProperty property(const ast::Property& prop, const PropertySpec& spec, bool is_source) {
    PlanProperty out;
    out.key = lower(prop.key.text);
    out.kind = prop.value.kind;
    out.value = prop.value.text;
    out.secret = spec.secret;
    out.is_string = prop.value.literal_kind == ast::LiteralKind::String;
    const auto& v = prop.value;
    using K = ast::PropertyValue::Kind;
    if (spec.secret && v.kind == K::Literal && !v.text.empty())
      diags_.warning("W0003", v.span, fmt::format("`{}` is written in the script", prop.key.text),
                     fmt::format("read it at run time: {} = env('NAME') or file('/path')", prop.key.text));
    if ((v.kind == K::Env || v.kind == K::File) && v.text.empty())
      diags_.error("E0125", v.span, fmt::format("{}() needs a non-empty argument", v.kind == K::Env ? "env" : "file"),
                   v.kind == K::Env ? "write env('VARIABLE_NAME')" : "write file('/path/to/secret')");
    switch (spec.kind) {
      case PropertySpec::Integer: {
        bool ok = v.kind == K::Env || (v.kind == K::Literal && v.literal_kind == ast::LiteralKind::Integer);
        if (!ok) {
          diags_.error("E0125", v.span, fmt::format("`{}` must be an integer", prop.key.text),
                       fmt::format("write {} = 1234", prop.key.text));
        } else if (v.kind == K::Literal && out.key == "port") {
          long long port = v.text.size() > 6 ? 0 : std::stoll(v.text);
          if (port < 1 || port > 65535)
            diags_.error("E0125", v.span, fmt::format("port {} is out of range (1 to 65535)", v.text));
        } else if (v.kind == K::Literal && out.key == "server_id") {
          unsigned long long id = v.text.size() > 10 ? 0 : std::stoull(v.text);
          if (id < 1 || id > 4294967295ULL)
            diags_.error("E0125", v.span, fmt::format("server_id {} is out of range (1 to 4294967295)", v.text));
        }
        break;
      }
      case PropertySpec::Text:
        if (v.kind == K::Map || (v.kind == K::Literal && v.literal_kind != ast::LiteralKind::String &&
                                 v.literal_kind != ast::LiteralKind::Integer &&
                                 v.literal_kind != ast::LiteralKind::Decimal))
          diags_.error("E0125", v.span, fmt::format("`{}` must be a string", prop.key.text),
                       fmt::format("write {} = '...'", prop.key.text));
        else if (v.kind == K::Literal && v.text.empty() && spec.required)
          diags_.error("E0125", v.span, fmt::format("`{}` is empty", prop.key.text));
        if (!is_source && out.key == "version" && v.kind == K::Literal) {
          auto parts = parse_version(v.text);
          if (parts.size() < 2)
            diags_.error("E0125", v.span, fmt::format("`{}` is not a Kafka version", v.text),
                         "write the broker version as '2.8' or '0.10.2'");
        }
        if (!is_source && out.key == "sasl_mechanism" && v.kind == K::Literal) {
          static const std::vector<std::string> mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512",
                                                              "GSSAPI", "OAUTHBEARER"};
          if (std::find(mechanisms.begin(), mechanisms.end(), upper(v.text)) == mechanisms.end())
            diags_.error("E0125", v.span, fmt::format("unknown SASL mechanism '{}'", v.text),
                         fmt::format("use one of {}", fmt::join(mechanisms, ", ")));
        }
        break;
      case PropertySpec::Word: {
        std::string word = upper(v.text);
        std::vector<std::string> allowed;
        if (out.key == "security") allowed = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"};
        else if (out.key == "ssl_mode") allowed = {"DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"};
        bool ok = (v.kind == K::Word || (v.kind == K::Literal && v.literal_kind == ast::LiteralKind::String)) &&
                  std::find(allowed.begin(), allowed.end(), word) != allowed.end();
        if (!ok) {
          std::string guess = closest_match(v.text, allowed);
          diags_.error("E0125", v.span, fmt::format("`{}` cannot be `{}`", prop.key.text, v.text),
                       guess.empty() ? fmt::format("use one of {}", fmt::join(allowed, ", "))
                                     : fmt::format("did you mean `{}`?", guess));
        }
        out.value = word;
        break;
      }
      case PropertySpec::Map:
        if (v.kind != K::Map) {
          diags_.error("E0125", v.span, fmt::format("`{}` is a list of 'key' = 'value' pairs", prop.key.text),
                       "write properties = ('linger.ms' = '5')");
          break;
        }
        for (const auto& entry : v.entries) {
          PlanProperty e;
          e.key = entry.key.text;
          e.value = entry.value.text;
          e.kind = entry.value.kind;
          e.secret = secret_key(entry.key.text);
          if (entry.value.kind == K::Map)
            diags_.error("E0125", entry.value.span, "librdkafka properties are flat: a value cannot be a list");
          if (e.secret && entry.value.kind == K::Literal)
            diags_.warning("W0003", entry.value.span, fmt::format("`{}` is written in the script", e.key),
                           fmt::format("read it at run time: '{}' = env('NAME') or file('/path')", e.key));
          out.entries.push_back(std::move(e));
        }
        break;
    }
    return out;
  }

  // --- PROJECT -----------------------------------------------------------------------
  void project(const ast::ProjectDecl& p, SourceSpan) {
    ProjectPlan& out = plan_.project;
    out.name = p.name.text;
    if (p.name.text.empty() || utf8_char_length(p.name.text) > 64 || !valid_project_name(p.name.text))
      diags_.error("E0103", p.name.span, fmt::format("invalid project name `{}`", p.name.text),
                   "a project name has 1 to 64 letters (any script), digits or `_`");
    if (p.tags)
      for (const auto& t : *p.tags) out.tags.push_back(t.text);
    if (p.business_id) {
      size_t n = utf8_char_length(p.business_id->text);
      if (n < 1 || n > 20)
        diags_.error("E0104", p.business_id->span,
                     fmt::format("BUSINESS ID must have 1 to 20 characters, not {}", n));
      out.business_id = p.business_id->text;
    }
    if (p.types) {
      out.schema_step = out.full = out.incremental = false;
      static const std::vector<std::string> kTypes = {"SCHEMA", "FULL", "INCREMENTAL"};
      for (const auto& t : *p.types) {
        std::string u = upper(t.text);
        bool* slot = u == "SCHEMA" ? &out.schema_step : u == "FULL" ? &out.full : u == "INCREMENTAL" ? &out.incremental : nullptr;
        if (!slot) {
          std::string guess = closest_match(t.text, kTypes);
          diags_.error("E0105", t.span, fmt::format("unknown synchronization type `{}`", t.text),
                       guess.empty() ? "TYPES takes SCHEMA, FULL and INCREMENTAL" : fmt::format("did you mean `{}`?", guess));
        } else if (*slot) {
          diags_.error("E0105", t.span, fmt::format("`{}` is listed twice in TYPES", t.text));
        } else {
          *slot = true;
        }
      }
    }
    if (p.start_at) {
      if (out.full) {
        diags_.error("E0106", p.start_at->span, "START AT cannot be used with a FULL synchronization",
                     "with FULL the incremental sync starts where the full sync began; write "
                     "TYPES (SCHEMA, INCREMENTAL) to start from a point in time");
      }
      if (p.start_at->quoted) {
        auto t = parse_datetime(p.start_at->text, 6);
        if (!t || t->year == 0) {
          diags_.error("E0107", p.start_at->span, fmt::format("START AT '{}' is not a timestamp", p.start_at->text),
                       "write START AT 'YYYY-MM-DD HH:MM:SS' (UTC) or START AT NOW");
        } else {
          std::time_t now = options_.now ? options_.now : std::time(nullptr);
          if (unix_seconds_utc(*t) > static_cast<int64_t>(now))
            diags_.error("E0107", p.start_at->span, fmt::format("START AT '{}' is in the future", p.start_at->text),
                         "a synchronization can only start from a time that has passed; use START AT NOW");
        }
      }
      out.start_at = p.start_at->text;
    }
    if (p.format) out.format = format_name(*p.format);
    if (p.partition) out.partition = partition_name(*p.partition);
    if (p.transaction_sequence) out.transaction_sequence = *p.transaction_sequence;
    if (p.delivery) out.exactly_once = *p.delivery == ast::DeliveryMode::ExactlyOnce;
    if (p.ddl) out.ddl = *p.ddl;
    out.source = endpoint(p.from_source, plan_.sources, "SOURCE", p.name.span);
    out.sink = endpoint(p.to_sink, plan_.sinks, "SINK", p.name.span);
    if (out.exactly_once && !out.sink.empty()) {
      for (const auto& sink : plan_.sinks) {
        if (sink.name != out.sink) continue;
        const PlanProperty* version = sink.find("version");
        if (version && version->kind == ast::PropertyValue::Kind::Literal) {
          auto parts = parse_version(version->value);
          if (parts.size() >= 2 && parts[0] == 0 && parts[1] < 11)
            diags_.error("E0113", p.name.span,
                         fmt::format("DELIVERY EXACTLY ONCE needs Kafka 0.11 or later; SINK `{}` says version '{}'",
                                     sink.name, version->value),
                         "use DELIVERY AT LEAST ONCE with this broker");
        }
      }
    }
  }

  std::string endpoint(const std::optional<ast::Name>& chosen, const std::vector<ConnectionPlan>& declared,
                       const char* what, SourceSpan project_span) {
    std::vector<std::string> names;
    for (const auto& c : declared) names.push_back(c.name);
    if (chosen) {
      for (const auto& c : declared)
        if (iequals(c.name, chosen->text)) return c.name;
      std::string guess = closest_match(chosen->text, names);
      diags_.error("E0111", chosen->span, fmt::format("no {} named `{}`", what, chosen->text),
                   !guess.empty() ? fmt::format("did you mean `{}`?", guess)
                   : names.empty() ? fmt::format("declare it: {} {} ...", what, chosen->text)
                                   : fmt::format("declared: {}", fmt::join(names, ", ")));
      return {};
    }
    if (declared.size() == 1) return declared[0].name;
    bool dropped = std::string(what) == "SOURCE" ? sources_dropped_ : sinks_dropped_;
    if (declared.empty() && (incomplete_ || dropped)) return {};  // already reported
    if (declared.empty()) {
      diags_.error("E0112", project_span, fmt::format("no {} is declared", what),
                   std::string(what) == "SOURCE" ? "declare one: SOURCE ob OCEANBASE (host = '...', user = '...');"
                                                 : "declare one: SINK kafka KAFKA (bootstrap = 'host:9092');");
    } else {
      diags_.error("E0110", project_span,
                   fmt::format("several {}s are declared ({}): the project must say which", what, fmt::join(names, ", ")),
                   fmt::format("add FROM {} TO {} to the PROJECT", plan_.sources.empty() ? "src" : plan_.sources[0].name,
                               plan_.sinks.empty() ? "sink" : plan_.sinks[0].name));
    }
    return {};
  }

  std::string format_name(const ast::Name& n) {
    std::string f = lower(n.text);
    const auto& formats = known_formats();
    if (std::find(formats.begin(), formats.end(), f) == formats.end()) {
      std::string guess = closest_match(n.text, formats);
      diags_.error("E0108", n.span, fmt::format("unknown format `{}`", n.text),
                   guess.empty() ? fmt::format("formats: {}", fmt::join(formats, ", "))
                                 : fmt::format("did you mean `{}`?", guess));
    }
    return f;
  }

  std::string partition_name(const ast::Name& n) {
    std::string p = lower(n.text);
    if (p != "hash" && p != "one") {
      diags_.error("E0109", n.span, fmt::format("unknown partitioning `{}`", n.text),
                   "PARTITION BY HASH (by the message key) or PARTITION BY ONE (everything to partition 0)");
      return "hash";
    }
    return p;
  }

  // --- SYNC ----------------------------------------------------------------------------
  void sync(const ast::Statement& st) {
    const ast::SyncStmt& s = st.sync;
    SyncPlan out;
    out.span = st.span;
    out.stmt = &s;
    out.refs = s.tables;
    out.format = s.format ? format_name(*s.format) : plan_.project.format;
    out.partition = s.partition ? partition_name(*s.partition) : plan_.project.partition;
    out.target = target(s.target, s.tables);
    if (s.shard_by) {
      std::set<std::string> seen;
      for (const auto& c : *s.shard_by) {
        if (!seen.insert(lower(c.text)).second)
          diags_.error("E0210", c.span, fmt::format("`{}` is listed twice in SHARD BY", c.text));
        out.shard_by.push_back(c.text);
      }
    }
    // Refs within one SYNC that repeat each other.
    for (size_t i = 0; i < s.tables.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (refs_overlap(s.tables[i], s.tables[j]))
          diags_.error("E0201", s.tables[i].span,
                       fmt::format("`{}` is already matched by `{}` in this SYNC", ref_text(s.tables[i]),
                                   ref_text(s.tables[j])),
                       "remove one of them");
    check_columns_syntax(s);
    if (options_.schema) resolve_tables(s, out);
    bind_expressions(s, out);
    plan_.syncs.push_back(std::move(out));
  }

  static std::string ref_text(const ast::TableRef& r) {
    if (r.kind == ast::TableRefKind::Pattern) return fmt::format("{}.'{}'", r.database.text, r.table.text);
    return fmt::format("{}.{}", r.database.text, r.table.text);
  }

  // Whether two refs claim the same table. A table named exactly takes precedence over
  // patterns and db.* (so `SYNC shop.* ...` covers the tables no other SYNC names); two exact
  // names, or two patterns, that meet are a conflict.
  static bool refs_overlap(const ast::TableRef& a, const ast::TableRef& b) {
    if (!iequals(a.database.text, b.database.text)) return false;
    using K = ast::TableRefKind;
    if (a.kind == K::Exact && b.kind == K::Exact) return iequals(a.table.text, b.table.text);
    if (a.kind == K::Exact || b.kind == K::Exact) return false;
    if (a.kind == K::All || b.kind == K::All) return true;
    return iequals(a.table.text, b.table.text);  // two patterns: only the same pattern is certain
  }

  bool named_exactly(const std::string& db, const std::string& table) const {
    for (const auto& [d, t] : exact_refs_)
      if (iequals(d, db) && iequals(t, table)) return true;
    return false;
  }

  void check_overlaps() {
    // Refs grouped by database (lower case): only refs of one database can meet, which keeps
    // a script of thousands of SYNCs linear in practice.
    std::map<std::string, std::vector<std::pair<size_t, const ast::TableRef*>>> by_db;
    for (size_t i = 0; i < plan_.syncs.size(); ++i)
      for (const auto& r : plan_.syncs[i].refs) by_db[lower(r.database.text)].emplace_back(i, &r);
    for (auto& [db, refs] : by_db) {
      // Exact names meet through a map; patterns are few and compared pairwise.
      std::map<std::string, std::pair<size_t, const ast::TableRef*>> exact;
      std::vector<std::pair<size_t, const ast::TableRef*>> patterns;
      for (const auto& entry : refs) {
        if (entry.second->kind == ast::TableRefKind::Exact) {
          auto [it, inserted] = exact.emplace(lower(entry.second->table.text), entry);
          if (!inserted && it->second.first != entry.first) report_overlap(*entry.second, *it->second.second, {});
        } else {
          for (const auto& other : patterns) {
            if (other.first == entry.first) continue;
            const ast::TableRef& a = *entry.second;
            const ast::TableRef& b = *other.second;
            bool overlap = refs_overlap(a, b);
            std::string table;
            if (!overlap && options_.schema && a.kind != ast::TableRefKind::Exact &&
                b.kind != ast::TableRefKind::Exact) {
              // Two different patterns: they conflict on the tables both match.
              for (const auto& ta : plan_.syncs[entry.first].tables)
                for (const auto& tb : plan_.syncs[other.first].tables)
                  if (table.empty() && iequals(ta.database, tb.database) && iequals(ta.table, tb.table) &&
                      ref_matches(a, ta) && ref_matches(b, tb)) {
                    overlap = true;
                    table = ta.database + "." + ta.table;
                  }
            }
            if (overlap) report_overlap(a, b, table);
          }
          patterns.push_back(entry);
        }
      }
    }
  }

  void report_overlap(const ast::TableRef& a, const ast::TableRef& b, const std::string& table) {
    LineCol where = program_.sources.location(b.span.file, b.span.begin);
    const std::string& path = program_.sources.file(b.span.file).path;
    diags_.error("E0201", a.span,
                 table.empty() ? fmt::format("`{}` is also {} `{}` in the SYNC at {}:{}", ref_text(a),
                                             a.kind == ast::TableRefKind::Exact ? "named as" : "matched by",
                                             ref_text(b), path, where.line)
                               : fmt::format("table {} is matched by `{}` here and by `{}` in the SYNC at {}:{}",
                                             table, ref_text(a), ref_text(b), path, where.line),
                 "a table belongs to one SYNC: narrow the pattern or remove one of them");
  }

  static bool ref_matches(const ast::TableRef& r, const SyncTable& t) {
    if (!iequals(r.database.text, t.database)) return false;
    switch (r.kind) {
      case ast::TableRefKind::All: return true;
      case ast::TableRefKind::Exact: return iequals(r.table.text, t.table);
      case ast::TableRefKind::Pattern: return name_like(t.table, r.table.text);
    }
    return false;
  }

  TopicPlan target(const ast::SyncTarget& t, const std::vector<ast::TableRef>& tables) {
    TopicPlan out;
    out.kind = t.kind;
    out.name = t.name.text;
    const std::string& name = t.name.text;
    switch (t.kind) {
      case ast::TargetKind::Topic:
        if (name.size() < 3 || name.size() > 64 || !valid_topic_chars(name))
          diags_.error("E0200", t.name.span, fmt::format("invalid topic name '{}'", name),
                       "a topic that obsync creates has 3 to 64 letters, digits, `-`, `_` or `.` "
                       "(quote names with `-`: TOPIC 'orders-v1')");
        break;
      case ast::TargetKind::ExistingTopic:
        if (name.empty() || name.size() > 249 || !valid_topic_chars(name) || name == "." || name == "..")
          diags_.error("E0200", t.name.span, fmt::format("invalid topic name '{}'", name),
                       "a Kafka topic name has 1 to 249 letters, digits, `-`, `_` or `.`");
        break;
      case ast::TargetKind::Template: {
        std::string rest = name;
        bool has_table = false, ok = true;
        std::string example;
        for (size_t i = 0; i < name.size(); ++i) {
          if (name[i] == '$' && i + 1 < name.size() && name[i + 1] == '{') {
            size_t close = name.find('}', i);
            if (close == std::string::npos) {
              ok = false;
              break;
            }
            std::string var = name.substr(i + 2, close - i - 2);
            if (var == "table") has_table = true;
            if (var != "table" && var != "database") {
              diags_.error("E0207", t.name.span, fmt::format("unknown placeholder `${{{}}}` in the topic template", var),
                           "a template can use ${database} and ${table}");
              return out;
            }
            example += var == "table" ? "t" : "db";
            i = close;
          } else {
            example += name[i];
          }
        }
        if (!ok) {
          diags_.error("E0207", t.name.span, "unterminated `${` in the topic template", "write ${database} or ${table}");
        } else if (!has_table && !(tables.size() == 1 && tables[0].kind == ast::TableRefKind::Exact)) {
          diags_.error("E0207", t.name.span, "the topic template does not contain ${table}",
                       "TOPICS makes one topic per table: include ${table}, or use TOPIC name for one topic");
        } else if (!valid_topic_chars(example)) {
          diags_.error("E0207", t.name.span,
                       fmt::format("the topic template '{}' makes invalid topic names", name),
                       "topic names have letters, digits, `-`, `_` or `.`");
        }
        break;
      }
    }
    std::set<std::string> seen;
    for (const auto& o : t.options) {
      std::string n = upper(o.name.text);
      if (n != "PARTITIONS" && n != "REPLICAS") {
        std::string guess = closest_match(o.name.text, {"PARTITIONS", "REPLICAS"});
        diags_.error("E0208", o.name.span, fmt::format("unknown topic option `{}`", o.name.text),
                     guess.empty() ? "a topic takes PARTITIONS n and REPLICAS n" : fmt::format("did you mean `{}`?", guess));
        continue;
      }
      if (!seen.insert(n).second) {
        diags_.error("E0208", o.span, fmt::format("{} is given twice", n));
        continue;
      }
      int64_t max = n == "PARTITIONS" ? 100000 : 32767;
      if (o.value < 1 || o.value > max) {
        diags_.error("E0208", o.span, fmt::format("{} must be 1 to {}", n, max));
        continue;
      }
      (n == "PARTITIONS" ? out.partitions : out.replicas) = static_cast<int>(o.value);
    }
    return out;
  }

  void check_topic_conflicts() {
    std::map<std::string, const SyncPlan*> by_topic;
    for (const auto& s : plan_.syncs) {
      if (s.target.kind != ast::TargetKind::Topic || s.stmt->target.options.empty()) continue;
      auto [it, inserted] = by_topic.emplace(s.target.name, &s);
      if (inserted) continue;
      const TopicPlan& first = it->second->target;
      if (first.partitions != s.target.partitions || first.replicas != s.target.replicas) {
        LineCol where = program_.sources.location(it->second->span.file, it->second->span.begin);
        diags_.error("E0212", s.stmt->target.span,
                     fmt::format("topic `{}` has PARTITIONS {}, REPLICAS {} here, but PARTITIONS {}, REPLICAS {} "
                                 "in the SYNC at {}:{}",
                                 s.target.name, s.target.partitions, s.target.replicas, first.partitions,
                                 first.replicas, program_.sources.file(it->second->span.file).path, where.line),
                     "give the topic's PARTITIONS and REPLICAS once, or the same everywhere");
      }
    }
  }

  void check_columns_syntax(const ast::SyncStmt& s) {
    std::set<std::string> names;
    if (s.columns) {
      for (const auto& item : *s.columns) {
        if (!item.expr) continue;
        std::string name;
        if (item.alias) name = item.alias->text;
        else if (item.expr->kind == ast::ExprKind::Column) name = item.expr->text;
        else {
          diags_.error("E0213", item.span, "a computed column needs a name",
                       fmt::format("add AS name: {} AS new_name", program_.sources.text(item.expr->span)));
          continue;
        }
        if (!names.insert(lower(name)).second)
          diags_.error("E0209", item.alias ? item.alias->span : item.span,
                       fmt::format("output column `{}` appears twice", name), "rename one with AS");
      }
    }
    if (s.columns_except) {
      for (const auto& c : *s.columns_except)
        if (!names.insert(lower(c.text)).second)
          diags_.error("E0209", c.span, fmt::format("`{}` is listed twice in COLUMNS EXCEPT", c.text));
    }
  }

  void resolve_tables(const ast::SyncStmt& s, SyncPlan& out) {
    const Schema& schema = *options_.schema;
    for (const auto& ref : s.tables) {
      const DatabaseSchema* db = schema.find_database(ref.database.text);
      if (!db) {
        std::vector<std::string> names;
        for (const auto& d : schema.databases) names.push_back(d.name);
        std::string guess = closest_match(ref.database.text, names);
        diags_.error("E0202", ref.database.span, fmt::format("unknown database `{}`", ref.database.text),
                     guess.empty() ? "check the name, or pull the schema again (obsync schema pull)"
                                   : fmt::format("did you mean `{}`?", guess));
        continue;
      }
      std::vector<const TableSchema*> matched;
      if (ref.kind == ast::TableRefKind::Exact) {
        const TableSchema* t = db->find_table(ref.table.text);
        if (!t) {
          std::vector<std::string> names;
          for (const auto& x : db->tables) names.push_back(x.name);
          std::string guess = closest_match(ref.table.text, names);
          diags_.error("E0204", ref.table.span, fmt::format("unknown table `{}.{}`", db->name, ref.table.text),
                       guess.empty() ? "check the name, or pull the schema again (obsync schema pull)"
                                     : fmt::format("did you mean `{}`?", guess));
          continue;
        }
        if (t->is_view) {
          diags_.error("E0206", ref.span, fmt::format("`{}.{}` is a view; only tables can be synchronized", db->name, t->name),
                       "synchronize the tables the view reads");
          continue;
        }
        matched.push_back(t);
      } else {
        size_t views = 0;
        for (const auto& t : db->tables) {
          if (ref.kind == ast::TableRefKind::Pattern && !name_like(t.name, ref.table.text)) continue;
          if (named_exactly(db->name, t.name)) continue;  // an exact name elsewhere takes it
          if (t.is_view) {
            ++views;
            continue;  // patterns skip views (only physical tables match)
          }
          matched.push_back(&t);
        }
        if (matched.empty())
          diags_.error("E0205", ref.span,
                       fmt::format("`{}` matches no table{}", ref_text(ref), views ? " (only views)" : ""),
                       "patterns use LIKE rules: % for any run of characters, _ for one character");
      }
      for (const TableSchema* t : matched) {
        SyncTable st;
        st.database = db->name;
        st.table = t->name;
        st.schema = t;
        out.tables.push_back(std::move(st));
      }
    }
  }

  void bind_expressions(const ast::SyncStmt& s, SyncPlan& out) {
    const SourceManager& sources = program_.sources;
    if (out.tables.empty()) {
      // No schema: check what can be checked without column types.
      BindScope scope;
      if (s.where) bind_where(*s.where, scope, sources, diags_);
      if (s.columns)
        for (const auto& item : *s.columns)
          if (item.expr) bind_expression(*item.expr, scope, sources, diags_);
      return;
    }
    // With a schema: each table gets its own typed kernels (a pattern may match tables whose
    // column types differ). Diagnostics for the same span are reported once.
    size_t first_errors = 0;
    for (size_t i = 0; i < out.tables.size(); ++i) {
      SyncTable& t = out.tables[i];
      DiagnosticSink local;
      BindScope scope;
      scope.columns = &t.schema->columns;
      scope.table_name = t.database + "." + t.table;
      if (s.where) t.where = bind_where(*s.where, scope, sources, local);
      bind_columns(s, t, scope, local);
      choose_key(s, out, t, local);
      for (const auto& d : local.diagnostics()) {
        bool duplicate = false;
        for (size_t k = first_errors; k < diags_.diagnostics().size(); ++k)
          if (diags_.diagnostics()[k].span.begin == d.span.begin && diags_.diagnostics()[k].code == d.code)
            duplicate = true;
        if (!duplicate) diags_.add(d);
      }
    }
  }

  void bind_columns(const ast::SyncStmt& s, SyncTable& t, const BindScope& scope, DiagnosticSink& diags) {
    const TableSchema& table = *t.schema;
    std::vector<std::string> key = table.row_key();
    auto is_key = [&](std::string_view name) {
      return std::any_of(key.begin(), key.end(), [&](const std::string& k) { return iequals(k, name); });
    };
    if (s.columns) {
      std::set<std::string> listed;
      for (const auto& item : *s.columns) {
        if (!item.expr) continue;
        ir::OutputColumn col;
        col.name = item.alias ? item.alias->text : item.expr->text;
        if (item.expr->kind == ast::ExprKind::Column && !item.alias) {
          const ColumnSchema* c = table.find_column(item.expr->text);
          if (c) col.name = c->name;
        }
        col.expr = bind_expression(*item.expr, scope, program_.sources, diags);
        if (item.expr->kind == ast::ExprKind::Column) {
          listed.insert(lower(item.expr->text));
          col.is_key = is_key(item.expr->text);
        }
        t.columns.push_back(std::move(col));
      }
      std::vector<std::string> added;
      for (const auto& k : key) {
        if (listed.count(lower(k))) continue;
        added.push_back(k);
        ir::OutputColumn col;
        col.name = k;
        col.is_key = true;
        col.expr = bind_column_ref(table, k);
        t.columns.insert(t.columns.begin() + static_cast<long>(added.size() - 1), std::move(col));
      }
      if (!added.empty())
        diags.warning("W0001", s.columns_span,
                      fmt::format("key column{} {} of {} {} kept although not listed", added.size() > 1 ? "s" : "",
                                  fmt::format("`{}`", fmt::join(added, "`, `")), scope.table_name,
                                  added.size() > 1 ? "are" : "is"),
                      "consumers need the key to apply changes; list it to silence this warning");
    } else {
      std::set<std::string> except;
      if (s.columns_except) {
        for (const auto& c : *s.columns_except) {
          const ColumnSchema* col = table.find_column(c.text);
          if (!col) {
            report_unknown_column(c.text, c.span, table, scope.table_name, diags);
            continue;
          }
          if (is_key(col->name)) {
            diags.warning("W0001", c.span,
                          fmt::format("key column `{}` of {} is kept although COLUMNS EXCEPT drops it", col->name,
                                      scope.table_name),
                          "consumers need the key to apply changes; remove it from COLUMNS EXCEPT");
            continue;
          }
          except.insert(lower(col->name));
        }
      }
      for (const auto& c : table.columns) {
        if (except.count(lower(c.name))) continue;
        ir::OutputColumn col;
        col.name = c.name;
        col.is_key = is_key(c.name);
        col.expr = bind_column_ref(table, c.name);
        t.columns.push_back(std::move(col));
      }
    }
  }

  static ir::ExprPtr bind_column_ref(const TableSchema& table, std::string_view name) {
    auto e = std::make_unique<ir::Expr>();
    e->op = ir::Op::Column;
    e->column = table.column_index(name);
    e->type = table.columns[static_cast<size_t>(e->column)].type;
    e->text = std::string(name);
    return e;
  }

  void choose_key(const ast::SyncStmt& s, const SyncPlan&, SyncTable& t, DiagnosticSink& diags) {
    const TableSchema& table = *t.schema;
    if (s.shard_by) {
      for (const auto& c : *s.shard_by) {
        const ColumnSchema* col = table.find_column(c.text);
        if (!col) {
          report_unknown_column(c.text, c.span, table, t.database + "." + t.table, diags, "E0210");
          continue;
        }
        t.key_columns.push_back(col->name);
      }
      return;
    }
    t.key_columns = table.row_key();
    if (t.key_columns.empty())
      diags.warning("W0002", s.tables.front().span,
                    fmt::format("{}.{} has no primary or unique key: all its changes go to one partition, keyed by the table name",
                                t.database, t.table),
                    "add SHARD BY (columns) to spread them, if their order per key is enough");
  }

  Plan plan_;
  const Program& program_;
  const CheckOptions& options_;
  DiagnosticSink& diags_;
  std::vector<std::pair<std::string, SourceSpan>> declared_names_;
  std::vector<std::pair<std::string, std::string>> exact_refs_;  // every db.table named exactly
  bool incomplete_ = false;  // some statement had syntax errors, or an include failed
  bool sources_dropped_ = false, sinks_dropped_ = false;  // a declaration was left out (E0120)
};

}  // namespace

const PlanProperty* ConnectionPlan::find(std::string_view key) const {
  for (const auto& p : properties)
    if (p.key == key) return &p;
  return nullptr;
}

const std::vector<std::string>& known_formats() {
  static const std::vector<std::string> formats = {"default", "canal", "dataworks", "shareplex",
                                                   "default_extend_column_type", "debezium"};
  return formats;
}

Plan check_program(const Program& program, const CheckOptions& options, DiagnosticSink& diags) {
  return Checker(program, options, diags).run();
}

}  // namespace obsync
