from lockcheck.cli.main import main

main()
