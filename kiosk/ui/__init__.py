"""pygame: display setup, the look (theme, fonts, texts), widgets, scenes and the scene manager."""
