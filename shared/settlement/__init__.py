"""Settlement: a period's billable calls -> pack deductions, postpaid charges, a bill."""
