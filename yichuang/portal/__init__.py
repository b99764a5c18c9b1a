"""Applicant accounts and the online service hall (网上办事大厅)."""
