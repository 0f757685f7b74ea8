"""The report: what each audience sees, the removal plan, the page in each language, and its exports."""
