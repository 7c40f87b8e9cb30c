from modelgen.cli import main

main()
