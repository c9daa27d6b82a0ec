from shenguan.cli import main

main()
