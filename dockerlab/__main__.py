"""`python -m dockerlab` and the `dockerlab` command. Ctrl-C while the modules load is an interrupt like any
other: exit 130, no traceback."""

import sys


def run() -> None:
    try:
        from dockerlab.cli.main import main
    except KeyboardInterrupt:
        print("dockerlab: interrupted", file=sys.stderr)
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
