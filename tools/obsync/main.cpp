// obsync command-line entry point: dispatches to the subcommands.
#include <cstdio>
int main() { std::puts("obsync"); return 0; }
