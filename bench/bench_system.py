# bench_system.py: the start of every Python benchmark's header
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What the figures were taken on, as bench-common.c prints it for the C
# programs. No gi here: run_bench.py imports it with any python3.

import datetime
import os


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            lines = f.read().splitlines()
    except OSError:
        return 'unknown'
    for key in ('model name', 'Model', 'Hardware', 'cpu model', 'Processor'):
        for line in lines:
            if line.startswith(key) and ':' in line:
                return line.split(':', 1)[1].strip()
    return 'unknown'


def print_system(title):
    """The title line, then the date, the system, the CPU and how many
    of them there are."""
    u = os.uname()
    print('# %s' % title)
    print('date:    %s' % datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M:%S %z'))
    print('system:  %s %s %s' % (u.sysname, u.release, u.machine))
    print('cpu:     %s' % cpu_model())
    print('nproc:   %d' % os.cpu_count())
