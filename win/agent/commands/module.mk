# SPDX-License-Identifier: GPL-2.0-or-later
# Action commands (commands/file.c exec.c time.c power.c password.c ssh.c fstrim.c): extra system
# libraries they link against; the sources are picked up by win/agent/module.mk's wildcard.

# SHGetFolderPathW (ssh.c: %ProgramData%\ssh).
AGENT_LIBS += -lshell32
