"""pygame: display setup, the look (theme, fonts, texts), the widget kit, images, scenes and the scene manager."""
