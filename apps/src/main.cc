#include "augur/apps/cli.h"

int main(int argc, char** argv) { return augur::apps::RunCli(argc, argv); }
