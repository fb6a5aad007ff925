from dockerlab.cli.main import main

main()
