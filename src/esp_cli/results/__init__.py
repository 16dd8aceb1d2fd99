"""What each command produces, as plain data: the services fill these in, the renderers
(esp_cli.render) show them. One module per command; none of them does any I/O."""
