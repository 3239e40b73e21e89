"""Forms, one module per area: thin, GOV.UK-styled through templates/includes/field.html."""
