from hos_lint.cli import main

main()
