// Builds the AST from ANTLR's parse tree: one transform function per grammar node family.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "ObSyncLexer.h"
#include "stdlib/ascii.hpp"
#include "ObSyncParser.h"
#include "antlr4-runtime.h"
#include "compiler/parse/parser.hpp"

namespace obsync {
namespace {

using G = grammar::ObSyncParser;
using grammar::ObSyncLexer;

// ANTLR indexes characters (code points); spans are byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(std::string_view text) {
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) byte_of_char_.push_back(i);
    byte_of_char_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte(size_t char_index) const {
    return byte_of_char_[std::min(char_index, byte_of_char_.size() - 1)];
  }

 private:
  std::vector<uint32_t> byte_of_char_;
};

std::string token_display(antlr4::Token* t) {
  if (!t || t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "`" + text + "`";
}

// Expected-token names as a user reads them.
std::string vocabulary_name(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  std::string literal = vocab.getLiteralName(type);
  if (!literal.empty()) return "`" + literal.substr(1, literal.size() - 2) + "`";
  std::string sym = vocab.getSymbolicName(type);
  if (sym == "IDENTIFIER" || sym == "QUOTED_IDENTIFIER") return "identifier";
  if (sym == "STRING") return "string";
  if (sym == "INTEGER_LITERAL") return "integer";
  if (sym == "DECIMAL_LITERAL" || sym == "REAL_LITERAL") return "number";
  if (sym.size() > 3 && sym.substr(sym.size() - 3) == "_KW") sym = sym.substr(0, sym.size() - 3);
  if (!sym.empty() && sym.back() == '_') sym.pop_back();
  return sym;
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  size_t reported = 0;  // syntax errors seen (a clean parse needs no per-statement search)

  ErrorListener(uint32_t file, const OffsetMap& offsets, DiagnosticSink& diags)
      : file_(file), offsets_(offsets), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    ++reported;
    if (offending && is_bad_token(offending->getType())) return;  // reported by the lexer pass
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!parser || !offending) {
      diags_.error_no_span("E0001", "syntax error: " + msg);
      return;
    }
    // One error per statement: what ANTLR reports after recovering inside a statement (a
    // token it pretended to insert, the rest of a broken expression) is almost always a
    // consequence of the first error. A statement that a missing `;` started counts as new.
    if (same_statement_as_last_error(parser, offending)) return;
    SourceSpan span = token_span(offending);
    std::vector<std::string> expected;
    std::vector<std::string> keywords;
    antlr4::misc::IntervalSet set = parser->getExpectedTokens();
    for (size_t type : set.toList()) {
      std::string name = vocabulary_name(parser->getVocabulary(), type);
      if (std::find(expected.begin(), expected.end(), name) == expected.end()) expected.push_back(name);
      if (!name.empty() && name[0] != '`' && std::isupper(static_cast<unsigned char>(name[0])))
        keywords.push_back(name);
    }
    std::string message;
    bool expects_semicolon = set.contains(static_cast<ssize_t>(ObSyncLexer::SEMI));
    bool expects_expression = set.contains(static_cast<ssize_t>(ObSyncLexer::INTEGER_LITERAL)) &&
                              set.contains(static_cast<ssize_t>(ObSyncLexer::IDENTIFIER));
    size_t type = offending->getType();
    if (getenv("OBSYNC_DEBUG_PARSER")) fprintf(stderr, "antlr: %s [%s]\n", msg.c_str(), set.toString().c_str());
    bool starts_statement = type == ObSyncLexer::SYNC || type == ObSyncLexer::PROJECT ||
                            type == ObSyncLexer::SOURCE || type == ObSyncLexer::SINK ||
                            type == ObSyncLexer::INCLUDE || type == antlr4::Token::EOF;
    if ((expects_semicolon || msg.find("';'") != std::string::npos) && starts_statement) {
      antlr4::Token* prev = previous_token(parser, offending);
      if (prev) span = {file_, token_span(prev).end, token_span(prev).end + 1};
      message = "missing `;` at the end of the statement";
      diags_.error("E0001", span, message, "every statement ends with `;`");
      last_offset_ = span.begin;
      last_file_ok_ = true;
      remember_error(offending, true);
      return;
    }
    // `a AND ;`: ANTLR stops the expression before the operator and blames it; the operand
    // after it is what is missing.
    std::string offending_upper = offending->getText();
    for (char& ch : offending_upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    static const std::set<std::string> kBinaryOperators = {
        "AND", "OR", "XOR", "&&", "||", "=", "<>", "!=", "<", "<=", ">", ">=", "<=>", "+", "-", "*",
        "/", "%", "DIV", "MOD", "&", "|", "^", "<<", ">>", "LIKE", "REGEXP", "RLIKE", "BETWEEN", "IN"};
    if (kBinaryOperators.count(offending_upper) && !expects_expression) {
      antlr4::Token* next = next_token(parser, offending);
      if (next && (next->getType() == ObSyncLexer::SEMI || next->getType() == antlr4::Token::EOF ||
                   next->getText() == ")" || next->getText() == ",")) {
        span = token_span(next);
        if (span.end == span.begin) span.end = span.begin + 1;
        message = fmt::format("expected an expression after `{}`, found {}", offending->getText(),
                              token_display(next));
      }
    }
    bool no_viable = msg.rfind("no viable alternative", 0) == 0;
    if (message.empty() && (no_viable || (expects_expression && !starts_statement))) {
      // An operator before the offending token means its operand is missing. (After "no viable
      // alternative" ANTLR's expected set is that of the decision's start, not meaningful.)
      static const std::set<std::string> kOperators = {
          "+", "-", "*", "/", "%", "=", "<>", "!=", "<", "<=", ">", ">=", "<=>", "(", ",", "&",
          "|", "^", "<<", ">>", "&&", "||", "!", "~", "AND", "OR", "XOR", "NOT", "DIV", "MOD",
          "WHERE", "LIKE", "IN", "BETWEEN", "THEN", "ELSE", "WHEN", "IS"};
      antlr4::Token* prev = previous_token(parser, offending);
      std::string prev_text = prev ? prev->getText() : "";
      for (char& ch : prev_text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (prev && kOperators.count(prev_text))
        message = fmt::format("expected an expression after `{}`, found {}", prev->getText(),
                              token_display(offending));
    }
    if (!message.empty()) {
    } else if (expects_expression && !starts_statement && msg.rfind("missing ", 0) != 0 && !no_viable) {
      message = fmt::format("expected an expression, found {}", token_display(offending));
    } else if (msg.rfind("missing ", 0) == 0) {
      // Point just after the previous token: that is where the missing piece belongs.
      antlr4::Token* prev = previous_token(parser, offending);
      if (prev) span = {file_, token_span(prev).end, token_span(prev).end + 1};
      std::string what = msg.substr(8, msg.find(" at ") - 8);
      message = fmt::format("expected {} before {}", pretty_expected(what, parser), token_display(offending));
    } else if (!message.empty()) {
    } else if (set.contains(static_cast<ssize_t>(ObSyncLexer::IDENTIFIER)) && expected.size() > 8 && !no_viable) {
      message = fmt::format("expected a name, found {}", token_display(offending));
    } else if (expected.empty() || expected.size() > 8) {
      message = fmt::format("unexpected {}", token_display(offending));
    } else {
      std::string list;
      for (size_t i = 0; i < expected.size(); ++i)
        list += (i == 0 ? "" : i + 1 == expected.size() ? " or " : ", ") + expected[i];
      message = fmt::format("unexpected {}, expected {}", token_display(offending), list);
    }
    std::string help;
    if (offending->getType() == ObSyncLexer::IDENTIFIER && !keywords.empty()) {
      std::string guess = closest_match(offending->getText(), keywords);
      if (!guess.empty()) help = fmt::format("did you mean `{}`?", guess);
    }
    if (help.empty() && (offending_upper == "VARCHAR" || offending_upper == "TEXT") &&
        set.contains(static_cast<ssize_t>(ObSyncLexer::CHAR)))
      help = "CAST and CONVERT take CHAR(n), not VARCHAR or TEXT";
    if (help.empty() && offending->getType() == antlr4::Token::EOF)
      help = "every statement ends with `;`";
    if (span.end == span.begin) span.end = span.begin + 1;
    // One message per offending token: ANTLR may report the same spot again while recovering.
    if (last_offset_ == span.begin && last_file_ok_) return;
    last_offset_ = span.begin;
    last_file_ok_ = true;
    remember_error(offending, false);
    diags_.error("E0001", span, message, help);
  }

  SourceSpan token_span(antlr4::Token* t) const {
    if (t->getType() == antlr4::Token::EOF) {
      uint32_t end = offsets_.byte(t->getStartIndex());
      return {file_, end, end};
    }
    return {file_, offsets_.byte(t->getStartIndex()), offsets_.byte(t->getStopIndex() + 1)};
  }

  static bool is_bad_token(size_t type) {
    return type == ObSyncLexer::UNTERMINATED_STRING || type == ObSyncLexer::UNTERMINATED_COMMENT ||
           type == ObSyncLexer::ERROR_CHAR || type == ObSyncLexer::DQ_STRING;
  }

 private:
  static antlr4::Token* previous_token(antlr4::Parser* parser, antlr4::Token* offending) {
    auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(parser->getTokenStream());
    if (!stream || offending->getTokenIndex() == 0) return nullptr;
    for (size_t i = offending->getTokenIndex(); i-- > 0;) {
      antlr4::Token* t = stream->get(i);
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return t;
    }
    return nullptr;
  }
  static antlr4::Token* next_token(antlr4::Parser* parser, antlr4::Token* offending) {
    auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(parser->getTokenStream());
    if (!stream || offending->getType() == antlr4::Token::EOF) return nullptr;
    for (size_t i = offending->getTokenIndex() + 1; i < stream->size(); ++i) {
      antlr4::Token* t = stream->get(i);
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return t;
    }
    return nullptr;
  }
  void remember_error(antlr4::Token* offending, bool starts_statement) {
    last_error_token_ = offending->getTokenIndex();
    last_error_started_statement_ = starts_statement;
    has_error_ = true;
  }
  // Whether no `;` separates `offending` from the token of the previous error.
  bool same_statement_as_last_error(antlr4::Parser* parser, antlr4::Token* offending) const {
    if (!has_error_ || last_error_started_statement_) return false;
    auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(parser->getTokenStream());
    if (!stream) return false;
    size_t end = std::min(offending->getTokenIndex(), stream->size());
    if (end < last_error_token_) return false;
    for (size_t i = last_error_token_; i < end; ++i)
      if (stream->get(i)->getType() == ObSyncLexer::SEMI) return false;
    return true;
  }
  static std::string pretty_expected(const std::string& what, antlr4::Parser*) {
    if (what.size() >= 2 && what.front() == '\'') return "`" + what.substr(1, what.size() - 2) + "`";
    if (what == "IDENTIFIER") return "identifier";
    if (what == "STRING") return "string";
    return what;
  }

  uint32_t file_;
  const OffsetMap& offsets_;
  DiagnosticSink& diags_;
  uint32_t last_offset_ = 0;
  size_t last_error_token_ = 0;
  bool last_error_started_statement_ = false;
  bool has_error_ = false;
  bool last_file_ok_ = false;
};

// Reports tokens the lexer could only classify as errors, with a message of their own.
void report_bad_tokens(antlr4::CommonTokenStream& tokens, const ErrorListener& listener,
                       DiagnosticSink& diags) {
  for (antlr4::Token* t : tokens.getTokens()) {
    SourceSpan span = listener.token_span(t);
    switch (t->getType()) {
      case ObSyncLexer::UNTERMINATED_STRING:
        diags.error("E0002", {span.file, span.begin, span.begin + 1}, "unterminated string literal",
                    "close the string with `'`; write a quote inside a string as `''` or `\\'`");
        break;
      case ObSyncLexer::UNTERMINATED_COMMENT:
        diags.error("E0003", {span.file, span.begin, span.begin + 2}, "unterminated block comment",
                    "close the comment with `*/`");
        break;
      case ObSyncLexer::ERROR_CHAR: {
        std::string c = t->getText();
        std::string help;
        diags.error("E0004", span, fmt::format("unexpected character `{}`", c),
                    "remove it; identifiers with special characters are written in back quotes");
        break;
      }
      case ObSyncLexer::DQ_STRING: {
        std::string inner = t->getText().substr(1, t->getText().size() - 2);
        diags.error("E0006", span, "strings are written in single quotes",
                    fmt::format("write '{}'", inner));
        break;
      }
      default:
        break;
    }
  }
}

// Exact-type test for labeled alternatives (each is a final class of the generated parser):
// comparing type_info is far cheaper than dynamic_cast's hierarchy walk on this hot path.
template <typename T>
T* as(antlr4::ParserRuleContext* ctx) {
  return ctx && typeid(*ctx) == typeid(T) ? static_cast<T*>(ctx) : nullptr;
}

class Transformer {
 public:
  Transformer(uint32_t file, const OffsetMap& offsets, DiagnosticSink& diags,
              const size_t* syntax_errors = nullptr)
      : file_(file), offsets_(offsets), diags_(diags), syntax_errors_(syntax_errors) {}

  SourceSpan span(antlr4::ParserRuleContext* ctx) const {
    antlr4::Token* stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
    uint32_t b = offsets_.byte(ctx->getStart()->getStartIndex());
    uint32_t e = stop->getType() == antlr4::Token::EOF ? b : offsets_.byte(stop->getStopIndex() + 1);
    if (e < b) e = b;  // empty rules (after errors)
    return {file_, b, e};
  }
  SourceSpan span(antlr4::tree::TerminalNode* node) const { return span(node->getSymbol()); }
  SourceSpan span(antlr4::Token* t) const {
    return {file_, offsets_.byte(t->getStartIndex()), offsets_.byte(t->getStopIndex() + 1)};
  }

  ast::Script script(G::ScriptContext* ctx) {
    ast::Script out;
    out.file = file_;
    if (ctx->exception) ++out.dropped_statements;
    for (auto* s : ctx->statement()) {
      std::optional<ast::Statement> st = statement(s);
      if (st) out.statements.push_back(std::move(*st));
      else ++out.dropped_statements;
    }
    return out;
  }

  // --- names ---------------------------------------------------------------------
  ast::Name ident(G::IdentContext* ctx) {
    ast::Name n;
    n.span = span(ctx);
    std::string text = ctx->getText();
    if (ctx->QUOTED_IDENTIFIER()) {
      n.quoted = true;
      std::string inner = text.substr(1, text.size() - 2);
      for (size_t i = 0; i < inner.size(); ++i) {
        n.text += inner[i];
        if (inner[i] == '`' && i + 1 < inner.size() && inner[i + 1] == '`') ++i;
      }
    } else {
      n.text = text;
    }
    return n;
  }
  ast::Name string_name(antlr4::tree::TerminalNode* node) {
    return {unescape_string_literal(node->getText()), span(node), true};
  }
  ast::Name keyword_name(antlr4::tree::TerminalNode* node) { return {node->getText(), span(node), false}; }

  // --- statements ------------------------------------------------------------------
  // A statement the parser had to repair is not checked further: its errors are reported
  // already, and checking a guess would only add confusing ones.
  static bool has_syntax_error(antlr4::tree::ParseTree* node) {
    if (dynamic_cast<antlr4::tree::ErrorNode*>(node)) return true;
    if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(node)) {
      if (rule->exception) return true;
      for (auto* child : rule->children)
        if (has_syntax_error(child)) return true;
    }
    return false;
  }

  std::optional<ast::Statement> statement(G::StatementContext* ctx) {
    if (syntax_errors_ && *syntax_errors_ > 0 && has_syntax_error(ctx)) return std::nullopt;
    if (auto* c = dynamic_cast<G::IncludeStmtContext*>(ctx)) {
      ast::Statement st(ast::StatementKind::Include);
      st.span = span(ctx);
      st.include.path = string_name(c->STRING());
      return st;
    }
    if (auto* c = dynamic_cast<G::SourceStmtContext*>(ctx)) {
      ast::Statement st(ast::StatementKind::Source);
      st.span = span(ctx);
      connection(st.connection, c->name, c->kind, c->propertyList());
      return st;
    }
    if (auto* c = dynamic_cast<G::SinkStmtContext*>(ctx)) {
      ast::Statement st(ast::StatementKind::Sink);
      st.span = span(ctx);
      connection(st.connection, c->name, c->kind, c->propertyList());
      return st;
    }
    if (auto* c = dynamic_cast<G::ProjectStmtContext*>(ctx)) {
      ast::Statement st(ast::StatementKind::Project);
      st.span = span(ctx);
      project(st.project, c);
      return st;
    }
    if (auto* c = dynamic_cast<G::SyncStmtContext*>(ctx)) {
      ast::Statement st(ast::StatementKind::Sync);
      st.span = span(ctx);
      sync(st.sync, c);
      return st;
    }
    return std::nullopt;  // a statement that failed to parse
  }

  void connection(ast::ConnectionDecl& out, G::IdentContext* name, G::IdentContext* kind,
                  G::PropertyListContext* props) {
    if (name) out.name = ident(name);
    if (kind) out.kind = ident(kind);
    if (props) out.properties = property_list(props);
  }

  std::vector<ast::Property> property_list(G::PropertyListContext* ctx) {
    std::vector<ast::Property> out;
    for (auto* p : ctx->property()) {
      ast::Property prop;
      if (p->key && p->key->ident()) prop.key = ident(p->key->ident());
      else if (p->key && p->key->STRING()) prop.key = string_name(p->key->STRING());
      if (p->propertyValue()) prop.value = property_value(p->propertyValue());
      out.push_back(std::move(prop));
    }
    return out;
  }

  ast::PropertyValue property_value(G::PropertyValueContext* ctx) {
    ast::PropertyValue v;
    v.span = span(ctx);
    if (auto* c = dynamic_cast<G::EnvValueContext*>(ctx)) {
      v.kind = ast::PropertyValue::Kind::Env;
      if (c->STRING()) v.text = unescape_string_literal(c->STRING()->getText());
    } else if (auto* c = dynamic_cast<G::FileValueContext*>(ctx)) {
      v.kind = ast::PropertyValue::Kind::File;
      if (c->STRING()) v.text = unescape_string_literal(c->STRING()->getText());
    } else if (auto* c = dynamic_cast<G::MapValueContext*>(ctx)) {
      v.kind = ast::PropertyValue::Kind::Map;
      if (c->propertyList()) v.entries = property_list(c->propertyList());
    } else if (auto* c = dynamic_cast<G::LiteralValueContext*>(ctx)) {
      ast::ExprPtr lit = literal(c->literal());
      v.kind = ast::PropertyValue::Kind::Literal;
      if (lit) {
        v.literal_kind = lit->literal_kind;
        v.text = lit->text;
      }
    } else if (auto* c = dynamic_cast<G::WordValueContext*>(ctx)) {
      v.kind = ast::PropertyValue::Kind::Word;
      if (c->ident()) v.text = ident(c->ident()).text;
    }
    return v;
  }

  template <typename T>
  bool once(std::optional<T>& slot, antlr4::ParserRuleContext* ctx, const char* what) {
    if (slot) {
      diags_.error("E0102", span(ctx), fmt::format("{} is given more than once", what),
                   "keep one of them");
      return false;
    }
    return true;
  }

  void project(ast::ProjectDecl& out, G::ProjectStmtContext* ctx) {
    if (auto* n = ctx->projectName()) out.name = n->ident() ? ident(n->ident()) : string_name(n->STRING());
    for (auto* opt : ctx->projectOption()) {
      out.option_spans.push_back(span(opt));
      if (auto* c = dynamic_cast<G::TagsOptionContext*>(opt)) {
        if (!once(out.tags, opt, "TAGS")) continue;
        out.tags.emplace();
        for (auto* s : c->STRING()) out.tags->push_back(string_name(s));
      } else if (auto* c = dynamic_cast<G::BusinessIdOptionContext*>(opt)) {
        if (!once(out.business_id, opt, "BUSINESS ID") || !c->STRING()) continue;
        out.business_id = string_name(c->STRING());
      } else if (auto* c = dynamic_cast<G::FromToOptionContext*>(opt)) {
        if (!once(out.from_source, opt, "FROM ... TO") || !c->source || !c->sink) continue;
        out.from_source = ident(c->source);
        out.to_sink = ident(c->sink);
      } else if (auto* c = dynamic_cast<G::TypesOptionContext*>(opt)) {
        if (!once(out.types, opt, "TYPES")) continue;
        out.types.emplace();
        for (auto* i : c->ident()) out.types->push_back(ident(i));
      } else if (auto* c = dynamic_cast<G::StartAtOptionContext*>(opt)) {
        if (!once(out.start_at, opt, "START AT")) continue;
        if (c->STRING()) out.start_at = string_name(c->STRING());
        else if (c->NOW()) out.start_at = keyword_name(c->NOW());
      } else if (auto* c = dynamic_cast<G::FormatOptionContext*>(opt)) {
        if (!once(out.format, opt, "FORMAT") || !c->ident()) continue;
        out.format = ident(c->ident());
      } else if (auto* c = dynamic_cast<G::PartitionOptionContext*>(opt)) {
        if (!once(out.partition, opt, "PARTITION BY") || !c->ident()) continue;
        out.partition = ident(c->ident());
      } else if (auto* c = dynamic_cast<G::SequenceOptionContext*>(opt)) {
        if (!once(out.transaction_sequence, opt, "TRANSACTION SEQUENCE")) continue;
        out.transaction_sequence = c->ON() != nullptr;
      } else if (auto* c = dynamic_cast<G::DeliveryOptionContext*>(opt)) {
        if (!once(out.delivery, opt, "DELIVERY")) continue;
        out.delivery = c->EXACTLY() ? ast::DeliveryMode::ExactlyOnce : ast::DeliveryMode::AtLeastOnce;
      } else if (auto* c = dynamic_cast<G::DdlOptionContext*>(opt)) {
        if (!once(out.ddl, opt, "DDL")) continue;
        out.ddl = c->ON() != nullptr;
      }
    }
  }

  void sync(ast::SyncStmt& out, G::SyncStmtContext* ctx) {
    for (auto* t : ctx->tableRef()) {
      ast::TableRef ref;
      ref.span = span(t);
      if (t->db) ref.database = ident(t->db);
      if (t->table) {
        ref.table = ident(t->table);
      } else if (t->star) {
        ref.kind = ast::TableRefKind::All;
        ref.table = {"*", span(t->star), false};
      } else if (t->pattern) {
        ref.kind = ast::TableRefKind::Pattern;
        ref.table = {unescape_string_literal(t->pattern->getText()), span(t->pattern), true};
      }
      out.tables.push_back(std::move(ref));
    }
    if (auto* target = ctx->syncTarget()) out.target = sync_target(target);
    for (auto* clause : ctx->syncClause()) {
      if (auto* c = dynamic_cast<G::WhereClauseContext*>(clause)) {
        if (out.where) {
          diags_.error("E0102", span(clause), "WHERE is given more than once",
                       "combine the conditions with AND");
          continue;
        }
        out.where = expr(c->expr());
        out.where_span = span(clause);
      } else if (auto* c = dynamic_cast<G::ColumnsClauseContext*>(clause)) {
        if (out.columns || out.columns_except) {
          diags_.error("E0102", span(clause), "COLUMNS is given more than once", "keep one column list");
          continue;
        }
        out.columns.emplace();
        out.columns_span = span(clause);
        for (auto* item : c->columnItem()) {
          ast::ColumnItem ci;
          ci.span = span(item);
          ci.expr = expr(item->expr());
          if (item->alias) {
            ci.alias = ident(item->alias);
            ci.as_keyword = item->AS() != nullptr;
          }
          out.columns->push_back(std::move(ci));
        }
      } else if (auto* c = dynamic_cast<G::ColumnsExceptClauseContext*>(clause)) {
        if (out.columns || out.columns_except) {
          diags_.error("E0102", span(clause), "COLUMNS is given more than once", "keep one column list");
          continue;
        }
        out.columns_except.emplace();
        out.columns_span = span(clause);
        for (auto* i : c->ident()) out.columns_except->push_back(ident(i));
      } else if (auto* c = dynamic_cast<G::ShardByClauseContext*>(clause)) {
        if (!once(out.shard_by, clause, "SHARD BY")) continue;
        out.shard_by.emplace();
        out.shard_span = span(clause);
        for (auto* i : c->ident()) out.shard_by->push_back(ident(i));
      } else if (auto* c = dynamic_cast<G::FormatClauseContext*>(clause)) {
        if (!once(out.format, clause, "FORMAT") || !c->ident()) continue;
        out.format = ident(c->ident());
      } else if (auto* c = dynamic_cast<G::PartitionClauseContext*>(clause)) {
        if (!once(out.partition, clause, "PARTITION BY") || !c->ident()) continue;
        out.partition = ident(c->ident());
      }
    }
  }

  ast::Name topic_name(G::TopicNameContext* ctx) {
    if (!ctx) return {};
    if (ctx->STRING()) return string_name(ctx->STRING());
    ast::Name n;
    n.span = span(ctx);
    for (auto* part : ctx->ident()) {
      if (!n.text.empty()) n.text += '.';
      n.text += ident(part).text;
    }
    return n;
  }

  ast::SyncTarget sync_target(G::SyncTargetContext* ctx) {
    ast::SyncTarget t;
    t.span = span(ctx);
    if (auto* c = dynamic_cast<G::TopicTargetContext*>(ctx)) {
      t.kind = ast::TargetKind::Topic;
      t.name = topic_name(c->topicName());
      for (auto* o : c->topicOption()) {
        ast::TopicOption opt;
        opt.span = span(o);
        if (o->ident()) opt.name = ident(o->ident());
        if (o->INTEGER_LITERAL()) {
          std::string digits = o->INTEGER_LITERAL()->getText();
          auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), opt.value);
          if (ec != std::errc()) opt.value = -1;  // too large: sema reports the range
        }
        t.options.push_back(std::move(opt));
      }
    } else if (auto* c = dynamic_cast<G::ExistingTopicTargetContext*>(ctx)) {
      t.kind = ast::TargetKind::ExistingTopic;
      t.name = topic_name(c->topicName());
    } else if (auto* c = dynamic_cast<G::TopicsTargetContext*>(ctx)) {
      t.kind = ast::TargetKind::Template;
      if (c->STRING()) t.name = string_name(c->STRING());
    }
    return t;
  }

  // --- expressions -----------------------------------------------------------------
  ast::ExprPtr make(ast::ExprKind kind, antlr4::ParserRuleContext* ctx) {
    return std::make_unique<ast::Expr>(kind, span(ctx));
  }
  // The operands of an expression alternative: its children that are expressions of any level.
  static std::vector<antlr4::ParserRuleContext*> operands(antlr4::ParserRuleContext* ctx) {
    std::vector<antlr4::ParserRuleContext*> out;
    for (auto* child : ctx->children) {
      auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child);
      if (!rule) continue;
      size_t index = rule->getRuleIndex();
      if (index == G::RuleExpr || index == G::RuleBoolPrimary || index == G::RulePredicate ||
          index == G::RuleBitExpr || index == G::RuleSimpleExpr)
        out.push_back(rule);
    }
    return out;
  }

  ast::ExprPtr with_operands(ast::ExprPtr e, antlr4::ParserRuleContext* ctx) {
    for (auto* operand : operands(ctx)) e->args.push_back(expr(operand));
    return e;
  }

  ast::ExprPtr binary(antlr4::ParserRuleContext* ctx, std::string op) {
    auto e = make(ast::ExprKind::Binary, ctx);
    e->op = std::move(op);
    return with_operands(std::move(e), ctx);
  }
  ast::ExprPtr unary(antlr4::ParserRuleContext* ctx, std::string op) {
    auto e = make(ast::ExprKind::Unary, ctx);
    e->op = std::move(op);
    return with_operands(std::move(e), ctx);
  }

  // Any expression level; pass-through alternatives (a bool primary that is just a predicate…)
  // produce no node of their own.
  ast::ExprPtr expr(antlr4::ParserRuleContext* ctx) {
    if (!ctx) return nullptr;
    if (auto* c = as<G::PrimaryExprContext>(ctx)) return primary(c->primary());
    if (as<G::BoolPrimaryExprContext>(ctx) || as<G::PredicateExprContext>(ctx) ||
        as<G::BitExprPredicateContext>(ctx) || as<G::SimpleBitExprContext>(ctx)) {
      auto ops = operands(ctx);
      return ops.empty() ? nullptr : expr(ops[0]);
    }
    if (auto* c = as<G::CollateExprContext>(ctx)) {
      auto e = make(ast::ExprKind::Collate, ctx);
      e->args.push_back(expr(c->simpleExpr()));
      if (auto* n = c->collationName()) {
        if (n->ident()) e->text = ident(n->ident()).text;
        else if (n->STRING()) e->text = unescape_string_literal(n->STRING()->getText());
        else e->text = "binary";
      }
      return e;
    }
    if (as<G::BinaryExprContext>(ctx)) return unary(ctx, "BINARY");
    if (as<G::BangExprContext>(ctx)) return unary(ctx, "!");
    if (auto* c = as<G::UnaryExprContext>(ctx)) return unary(ctx, c->op->getText());
    if (as<G::NotExprContext>(ctx)) return unary(ctx, "NOT");
    if (as<G::BitXorExprContext>(ctx)) return binary(ctx, "^");
    if (auto* c = as<G::MulExprContext>(ctx)) return binary(ctx, upper(c->op->getText()));
    if (auto* c = as<G::AddExprContext>(ctx)) return binary(ctx, c->op->getText());
    if (auto* c = as<G::ShiftExprContext>(ctx)) return binary(ctx, c->op->getText());
    if (as<G::BitAndExprContext>(ctx)) return binary(ctx, "&");
    if (as<G::BitOrExprContext>(ctx)) return binary(ctx, "|");
    if (auto* c = as<G::CompareExprContext>(ctx)) return binary(ctx, c->op->getText());
    if (as<G::AndExprContext>(ctx)) return binary(ctx, "AND");
    if (as<G::XorExprContext>(ctx)) return binary(ctx, "XOR");
    if (as<G::OrExprContext>(ctx)) return binary(ctx, "OR");
    if (auto* c = as<G::IsTruthExprContext>(ctx)) {
      auto e = make(ast::ExprKind::Is, ctx);
      e->negated = c->NOT() != nullptr;
      e->op = c->TRUE_() ? "TRUE" : c->FALSE_() ? "FALSE" : "UNKNOWN";
      return with_operands(std::move(e), ctx);
    }
    if (auto* c = as<G::IsNullExprContext>(ctx)) {
      auto e = make(ast::ExprKind::Is, ctx);
      e->negated = c->NOT() != nullptr;
      e->op = "NULL";
      return with_operands(std::move(e), ctx);
    }
    auto negatable = [&](ast::ExprKind kind, bool negated) {
      auto e = make(kind, ctx);
      e->negated = negated;
      return with_operands(std::move(e), ctx);
    };
    if (auto* c = as<G::IsDistinctExprContext>(ctx)) return negatable(ast::ExprKind::IsDistinct, c->NOT());
    if (auto* c = as<G::InExprContext>(ctx)) return negatable(ast::ExprKind::In, c->NOT());
    if (auto* c = as<G::LikeExprContext>(ctx)) return negatable(ast::ExprKind::Like, c->NOT());
    if (auto* c = as<G::RegexpExprContext>(ctx)) return negatable(ast::ExprKind::Regexp, c->NOT());
    if (auto* c = as<G::BetweenExprContext>(ctx)) return negatable(ast::ExprKind::Between, c->NOT());
    return nullptr;
  }

  ast::ExprPtr primary(G::PrimaryContext* ctx) {
    if (!ctx) return nullptr;
    if (auto* c = dynamic_cast<G::LiteralPrimaryContext*>(ctx)) return literal(c->literal());
    if (auto* c = dynamic_cast<G::ParenPrimaryContext*>(ctx)) {
      auto inner = expr(c->expr());
      if (inner) inner->span = span(ctx);  // parentheses belong to the operand's span
      return inner;
    }
    if (auto* c = dynamic_cast<G::CasePrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Case, ctx);
      if (c->operand) {
        e->has_operand = true;
        e->args.push_back(expr(c->operand));
      }
      for (auto* w : c->caseWhen()) {
        e->args.push_back(expr(w->expr(0)));
        e->args.push_back(expr(w->expr(1)));
      }
      if (c->elseExpr) {
        e->has_else = true;
        e->args.push_back(expr(c->elseExpr));
      }
      return e;
    }
    if (auto* c = dynamic_cast<G::CastPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Cast, ctx);
      e->args.push_back(expr(c->expr()));
      if (c->castType()) e->cast = cast_type(c->castType());
      return e;
    }
    if (auto* c = dynamic_cast<G::ConvertPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Cast, ctx);
      e->convert_syntax = true;
      e->args.push_back(expr(c->expr()));
      if (c->castType()) e->cast = cast_type(c->castType());
      return e;
    }
    if (auto* c = dynamic_cast<G::IntervalPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Interval, ctx);
      e->args.push_back(expr(c->expr()));
      if (c->intervalUnit()) e->unit = interval_unit(c->intervalUnit()->getText());
      return e;
    }
    if (auto* c = dynamic_cast<G::SubstringFromPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Call, ctx);
      e->text = "SUBSTRING";
      for (auto* a : c->expr()) e->args.push_back(expr(a));
      return e;
    }
    if (auto* c = dynamic_cast<G::TrimFromPrimaryContext*>(ctx)) {
      // TRIM([LEADING|TRAILING|BOTH] [remstr] FROM str) becomes the call form used by TRIM(str):
      // TRIM / LTRIM-like variants are told apart by op, remstr is args[1].
      auto e = make(ast::ExprKind::Call, ctx);
      e->text = "TRIM";
      e->op = c->trimSide ? upper(c->trimSide->getText()) : "BOTH";
      auto exprs = c->expr();
      e->args.push_back(expr(exprs.back()));
      if (c->remstr) e->args.push_back(expr(c->remstr));
      return e;
    }
    if (auto* c = dynamic_cast<G::PositionPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Call, ctx);
      e->text = "POSITION";
      e->op = "IN";
      for (auto* a : c->expr()) e->args.push_back(expr(a));
      return e;
    }
    if (auto* c = dynamic_cast<G::CallPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Call, ctx);
      e->text = c->functionName()->getText();
      if (auto* id = c->functionName()->ident()) e->text = ident(id).text;
      for (auto* a : c->expr()) e->args.push_back(expr(a));
      return e;
    }
    if (auto* c = dynamic_cast<G::OldColumnPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::OldColumn, ctx);
      if (c->ident()) e->text = ident(c->ident()).text;
      return e;
    }
    if (auto* c = dynamic_cast<G::JsonPathPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::JsonPath, ctx);
      e->text = ident(c->ident()).text;
      e->op = c->op->getText();
      if (c->STRING()) e->json_path = unescape_string_literal(c->STRING()->getText());
      return e;
    }
    if (auto* c = dynamic_cast<G::ColumnPrimaryContext*>(ctx)) {
      auto e = make(ast::ExprKind::Column, ctx);
      e->text = ident(c->ident()).text;
      return e;
    }
    return nullptr;
  }

  static IntervalUnit interval_unit(std::string text) {
    static const std::pair<const char*, IntervalUnit> kUnits[] = {
        {"MICROSECOND", IntervalUnit::Microsecond}, {"SECOND", IntervalUnit::Second},
        {"MINUTE", IntervalUnit::Minute}, {"HOUR", IntervalUnit::Hour}, {"DAY", IntervalUnit::Day},
        {"WEEK", IntervalUnit::Week}, {"MONTH", IntervalUnit::Month}, {"QUARTER", IntervalUnit::Quarter},
        {"YEAR", IntervalUnit::Year}, {"SECOND_MICROSECOND", IntervalUnit::SecondMicrosecond},
        {"MINUTE_MICROSECOND", IntervalUnit::MinuteMicrosecond}, {"MINUTE_SECOND", IntervalUnit::MinuteSecond},
        {"HOUR_MICROSECOND", IntervalUnit::HourMicrosecond}, {"HOUR_SECOND", IntervalUnit::HourSecond},
        {"HOUR_MINUTE", IntervalUnit::HourMinute}, {"DAY_MICROSECOND", IntervalUnit::DayMicrosecond},
        {"DAY_SECOND", IntervalUnit::DaySecond}, {"DAY_MINUTE", IntervalUnit::DayMinute},
        {"DAY_HOUR", IntervalUnit::DayHour}, {"YEAR_MONTH", IntervalUnit::YearMonth}};
    text = upper(text);
    for (auto& [name, unit] : kUnits)
      if (text == name) return unit;
    return IntervalUnit::Day;
  }

  ast::CastType cast_type(G::CastTypeContext* ctx) {
    ast::CastType t;
    auto ints = ctx->INTEGER_LITERAL();
    auto number = [&](size_t i) -> std::optional<int> {
      if (i >= ints.size()) return std::nullopt;
      std::string s = ints[i]->getText();
      int v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc()) v = std::numeric_limits<int>::max();
      return v;
    };
    if (ctx->BINARY()) t.kind = ast::CastKind::Binary;
    else if (ctx->CHAR()) t.kind = ast::CastKind::Char;
    else if (ctx->DATETIME()) t.kind = ast::CastKind::DateTime;
    else if (ctx->DATE()) t.kind = ast::CastKind::Date;
    else if (ctx->TIME()) t.kind = ast::CastKind::Time;
    else if (ctx->DECIMAL()) t.kind = ast::CastKind::Decimal;
    else if (ctx->SIGNED()) t.kind = ast::CastKind::Signed;
    else if (ctx->UNSIGNED()) t.kind = ast::CastKind::Unsigned;
    else if (ctx->DOUBLE()) t.kind = ast::CastKind::Double;
    else if (ctx->FLOAT()) t.kind = ast::CastKind::Float;
    else if (ctx->JSON()) t.kind = ast::CastKind::Json;
    else if (ctx->YEAR()) t.kind = ast::CastKind::Year;
    t.length = number(0);
    t.scale = number(1);
    t.integer_suffix = ctx->INTEGER() || ctx->INT();
    if (ctx->ident()) t.charset = ident(ctx->ident()).text;
    return t;
  }

  ast::ExprPtr literal(G::LiteralContext* ctx) {
    if (!ctx) return nullptr;
    auto e = make(ast::ExprKind::Literal, ctx);
    if (auto* c = dynamic_cast<G::StringLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::String;
      for (auto* s : c->STRING()) e->text += unescape_string_literal(s->getText());  // 'a' 'b' = 'ab'
    } else if (dynamic_cast<G::IntegerLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Integer;
      e->text = ctx->getText();
    } else if (dynamic_cast<G::DecimalLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Decimal;
      e->text = ctx->getText();
    } else if (dynamic_cast<G::RealLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Real;
      e->text = ctx->getText();
    } else if (dynamic_cast<G::HexLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Hex;
      std::string t = ctx->getText();  // 0x1F or X'1F': keep the digits
      e->text = (t[0] == '0') ? t.substr(2) : t.substr(2, t.size() - 3);
      if (t[0] != '0' && e->text.size() % 2)
        diags_.error("E0005", span(ctx), "a hexadecimal string literal needs an even number of digits",
                     fmt::format("write X'0{}'", e->text));
    } else if (dynamic_cast<G::BitLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Bit;
      std::string t = ctx->getText();
      e->text = (t[0] == '0') ? t.substr(2) : t.substr(2, t.size() - 3);
    } else if (dynamic_cast<G::NullLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Null;
      e->text = "NULL";
    } else if (auto* c = dynamic_cast<G::BoolLiteralContext*>(ctx)) {
      e->literal_kind = ast::LiteralKind::Bool;
      e->text = c->TRUE_() ? "TRUE" : "FALSE";
    } else if (auto* c = dynamic_cast<G::TemporalLiteralContext*>(ctx)) {
      e->literal_kind = c->DATE() ? ast::LiteralKind::Date : c->TIME() ? ast::LiteralKind::Time
                                                                       : ast::LiteralKind::Timestamp;
      if (c->STRING()) e->text = unescape_string_literal(c->STRING()->getText());
    }
    return e;
  }

 private:
  uint32_t file_;
  const OffsetMap& offsets_;
  DiagnosticSink& diags_;
  const size_t* syntax_errors_;
};

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, at most U+10FFFF), or 0 when the bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  unsigned c = byte(0);
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return byte(k) >= lo && byte(k) <= hi; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c >= 0xE1 && c <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// ANTLR's input stream throws on malformed UTF-8. Each malformed byte is reported (once per
// run of them) and lexed as a space, which keeps every byte offset where it was.
std::string checked_utf8(const std::string& text, uint32_t file, DiagnosticSink& diags) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence_length(text, i);
    if (n) {
      i += n;
      continue;
    }
    if (out.empty()) out = text;
    size_t begin = i;
    while (i < text.size() && utf8_sequence_length(text, i) == 0) out[i++] = ' ';
    diags.error("E0007", {file, static_cast<uint32_t>(begin), static_cast<uint32_t>(i)},
                fmt::format("invalid UTF-8 byte 0x{:02X}", static_cast<unsigned char>(text[begin])),
                "scripts are UTF-8 text: save the file as UTF-8");
  }
  return out;
}

// Nesting deeper than this is refused (E0008) before it can exhaust the stack: ANTLR, the
// transformer, the binder and the interpreter all recurse once or more per level. It counts
// parse-tree levels: six per parenthesis (expr, boolPrimary, predicate, bitExpr, simpleExpr,
// primary), one per prefix NOT/-/! and one per binary operator in a chain (`a OR b OR c` is
// three levels deep). Under ASan the binder takes ~12 KB of stack per level: 500 levels fit an
// 8 MB stack in every build, and real scripts stay far below.
constexpr size_t kMaxParseDepth = 500;

struct NestingTooDeep {
  antlr4::Token* at;
};

// Counts ANTLR's rule recursion while it parses (parentheses, prefix operators) and unwinds the
// parse, by an exception that ANTLR's generated rules do not catch, once the limit is passed.
// Chains of binary operators are parsed in a loop; their depth is measured on the tree after.
class DepthGuard : public antlr4::tree::ParseTreeListener {
 public:
  explicit DepthGuard(antlr4::Parser& parser) : parser_(parser) {}
  void enterEveryRule(antlr4::ParserRuleContext*) override {
    if (++depth_ > kMaxParseDepth) throw NestingTooDeep{parser_.getCurrentToken()};
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override {
    if (depth_ > 0) --depth_;  // never throws: it runs while the exception unwinds, too
  }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}
  void reset() { depth_ = 0; }

 private:
  antlr4::Parser& parser_;
  size_t depth_ = 0;
};

// The first token of a node deeper than kMaxParseDepth, or null; iterative, as the tree may
// be far deeper than the stack allows to recurse.
antlr4::Token* too_deep_node(antlr4::tree::ParseTree* root) {
  std::vector<std::pair<antlr4::tree::ParseTree*, size_t>> stack;
  if (root) stack.emplace_back(root, 1);
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxParseDepth) {
      if (auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(node)) return ctx->getStart();
      if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(node)) return t->getSymbol();
    }
    // Leftmost first: in a left-deep chain `a OR b OR ...` that reports where the chain begins.
    for (auto it = node->children.rbegin(); it != node->children.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  return nullptr;
}

// A token where nesting certainly passes kMaxParseDepth, found from the tokens alone, or null.
// ANTLR predicts an alternative by looking ahead through everything nested inside it, so a long
// run of `(` or of prefix `-` costs seconds and gigabytes (or overflows the stack in its
// prediction) before the DepthGuard sees the first level. The weights follow the grammar:
// six parse levels per `(`, seven per CASE, three per open BETWEEN, one per prefix operator.
antlr4::Token* too_deep_tokens(antlr4::CommonTokenStream& tokens) {
  size_t open = 0, cases = 0, betweens = 0, prefix_run = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    std::string text = type < ObSyncLexer::SEMI ? t->getText() : std::string();
    bool prefix = text == "-" || text == "+" || text == "~" || text == "!" || type == ObSyncLexer::NOT ||
                  type == ObSyncLexer::BINARY || type == ObSyncLexer::INTERVAL;
    prefix_run = prefix ? prefix_run + 1 : 0;
    if (text == "(") ++open;
    else if (text == ")" && open > 0) --open;
    else if (type == ObSyncLexer::CASE) ++cases;
    else if (type == ObSyncLexer::END && cases > 0) --cases;
    else if (type == ObSyncLexer::BETWEEN) ++betweens;
    else if (type == ObSyncLexer::AND && betweens > 0) --betweens;
    else if (type == ObSyncLexer::SEMI) open = cases = betweens = 0;
    if (6 * open + 7 * cases + 3 * betweens + prefix_run > kMaxParseDepth) return t;
  }
  return nullptr;
}

// Lexes and parses a file's text: `parse` runs the start rule, `transform` builds the AST.
template <typename Parse, typename Transform>
auto run_parser(const SourceManager& sources, uint32_t file, DiagnosticSink& diags, Parse parse,
                Transform transform, std::vector<ast::Comment>* comments) {
  const std::string& original = sources.file(file).text;
  std::string sanitized = checked_utf8(original, file, diags);
  const std::string& text = sanitized.empty() ? original : sanitized;
  OffsetMap offsets(text);
  antlr4::ANTLRInputStream input(text);
  ObSyncLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  ErrorListener listener(file, offsets, diags);
  report_bad_tokens(tokens, listener, diags);
  if (comments) {
    for (antlr4::Token* t : tokens.getTokens()) {
      size_t type = t->getType();
      if (type != ObSyncLexer::LINE_COMMENT && type != ObSyncLexer::BLOCK_COMMENT &&
          type != ObSyncLexer::EMPTY_LINE_COMMENT)
        continue;
      ast::Comment c;
      c.span = listener.token_span(t);
      c.text = t->getText();
      while (!c.text.empty() && (c.text.back() == '\n' || c.text.back() == '\r')) c.text.pop_back();
      c.span.end = c.span.begin + static_cast<uint32_t>(c.text.size());
      uint32_t i = c.span.begin;
      while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
      c.own_line = i == 0 || text[i - 1] == '\n';
      comments->push_back(std::move(c));
    }
  }
  grammar::ObSyncParser parser(&tokens);
  parser.removeErrorListeners();
  DepthGuard depth_guard(parser);
  parser.addParseListener(&depth_guard);
  Transformer transformer(file, offsets, diags, &listener.reported);
  decltype(parse(parser)) tree = nullptr;
  antlr4::Token* too_deep = too_deep_tokens(tokens);
  if (!too_deep) try {
    // Two-stage parsing (ANTLR's recommended pattern): SLL prediction is several times faster
    // and decides every valid script; only when it fails do we parse again with full LL and the
    // error listener, so that diagnostics are exactly those of the LL parse.
    bool has_bad_tokens = false;
    for (antlr4::Token* t : tokens.getTokens()) has_bad_tokens |= ErrorListener::is_bad_token(t->getType());
    bool parsed = false;
    if (!has_bad_tokens) {
      auto* sim = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
      sim->setPredictionMode(antlr4::atn::PredictionMode::SLL);
      parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
      try {
        tree = parse(parser);
        parsed = true;
      } catch (const antlr4::ParseCancellationException&) {
        tokens.seek(0);
        parser.reset();
        depth_guard.reset();
        sim->setPredictionMode(antlr4::atn::PredictionMode::LL);
      }
    }
    if (!parsed) {
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.addErrorListener(&listener);
      tree = parse(parser);
    }
    too_deep = too_deep_node(tree);
  } catch (const NestingTooDeep& e) {
    too_deep = e.at ? e.at : tokens.get(0);
  }
  if (too_deep) {
    SourceSpan at = listener.token_span(too_deep);
    if (at.end == at.begin) at.end = at.begin + 1;
    diags.error("E0008", at, "the expression is nested too deeply",
                fmt::format("obsync accepts about {} levels of parentheses or a chain of {} operators; a "
                            "long chain of `x = a OR x = b ...` can be written as x IN (a, b, ...)",
                            kMaxParseDepth / 6 / 10 * 10, kMaxParseDepth));
    return decltype(transform(transformer, tree)){};
  }
  return transform(transformer, tree);
}

}  // namespace

void clear_parser_caches() {
  antlr4::ANTLRInputStream input("");
  ObSyncLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  grammar::ObSyncParser parser(&tokens);
  lexer.getInterpreter<antlr4::atn::LexerATNSimulator>()->clearDFA();
  auto* simulator = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  simulator->clearDFA();
  simulator->getSharedContextCache().clear();  // the DFA held the only other references
}

ParsedScript parse_script(const SourceManager& sources, uint32_t file, DiagnosticSink& diags) {
  ParsedScript out;
  size_t errors_before = diags.error_count();
  out.script = run_parser(
      sources, file, diags, [](G& parser) { return parser.script(); },
      [](Transformer& t, G::ScriptContext* tree) { return t.script(tree); }, &out.comments);
  out.script.file = file;
  // A parse cut short (E0008) leaves no statements: say so, so that checks needing them stay quiet.
  if (out.script.statements.empty() && diags.error_count() > errors_before) ++out.script.dropped_statements;
  return out;
}

ast::ExprPtr parse_expression(const SourceManager& sources, uint32_t file, DiagnosticSink& diags) {
  size_t errors_before = diags.error_count();
  ast::ExprPtr e = run_parser(
      sources, file, diags, [](G& parser) { return parser.standaloneExpr(); },
      [](Transformer& t, G::StandaloneExprContext* tree) { return t.expr(tree->expr()); }, nullptr);
  if (diags.error_count() > errors_before) return nullptr;
  return e;
}

}  // namespace obsync
