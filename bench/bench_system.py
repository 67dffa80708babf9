# bench_system.py: what every Python benchmark does the same way
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The options they share and the start of their header (what the figures
# were taken on), as bench-common.c has them for the C programs. No gi
# here: run_bench.py imports it with any python3.

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


def add_run_options(parser, default_rounds, quick_rounds, quick_help, verbose_help):
    """--rounds, --quick, --verbose and --rows, as BENCH_OPTION_ENTRIES
    gives the C programs."""
    parser.add_argument('--rounds', type=int, default=0,
                        help='number of rounds (default %d; %d with --quick)'
                        % (default_rounds, quick_rounds))
    parser.add_argument('--quick', action='store_true', help=quick_help)
    parser.add_argument('-v', '--verbose', action='store_true', help=verbose_help)
    parser.add_argument('--rows', metavar='FILE',
                        help='also write the table to FILE, tab-separated, for run_bench.py')


def rounds_of(args, default_rounds, quick_rounds):
    """The rounds the command line asks for (0 when --rounds is not given)."""
    return args.rounds or (quick_rounds if args.quick else default_rounds)
