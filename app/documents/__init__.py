"""Evidence documents: PDF upload and download, and field extraction from their text."""
