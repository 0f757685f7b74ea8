"""Clean copies to post instead (`photo-audit clean`): the same picture with no metadata at all, bystanders' faces
blurred past the project's own face matcher, and the user's face covered where she asks; never an original touched."""
