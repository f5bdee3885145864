from kompile.cli import main

main()
