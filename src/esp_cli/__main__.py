from esp_cli.launch import main

main()
