/* cmd_version.c — `tickcast version`: build version and linked library versions. */
#include "tools/cli.h"

#include <stdio.h>

static int cmd_version(int argc, char **argv)
{
    printf("tickcast %s\n", TC_VERSION);
    return 0;
}

TC_CLI_COMMAND(version, "print the version", "tickcast version", cmd_version);
