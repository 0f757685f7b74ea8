"""For campus clubs and advocates: a kit to run a privacy workshop, what one participant contributes to the
group's picture (an anonymous summary), and that picture (the merge of the summaries)."""
