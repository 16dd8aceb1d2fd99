from esp_cli.cli import main

main()
