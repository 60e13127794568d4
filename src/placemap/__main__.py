from placemap.cli import main

main()
