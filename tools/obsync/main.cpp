// obsync command-line entry point: parses arguments and dispatches to the subcommands.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/parse/parser.hpp"

using namespace obsync;

int main(int argc, char** argv) {
  SourceManager sources;
  DiagnosticSink diags;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream ss;
    ss << in.rdbuf();
    uint32_t id = sources.add(argv[i], ss.str());
    parse_script(sources, id, diags);
  }
  for (auto& d : diags.diagnostics()) std::cerr << render_human(d, sources);
  return diags.has_errors() ? 1 : 0;
}
