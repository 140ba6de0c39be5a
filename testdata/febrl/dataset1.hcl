# Febrl dataset1 with soc_sec_id as a strong identifier: scripts/febrl-eval.sh
# resolves it and scores the clusters against the rec_id truth.
data_dir = "./.scv-data/dataset1"

source "dataset1" {
  type            = "csv"
  path            = "../../../shared/data/febrl/dataset1.csv"
  id              = "rec_id"
  default_country = "AU"
  date_format     = "yyyymmdd"

  map {
    given_name    = "given_name"
    family_name   = "surname"
    address_line1 = ["street_number", "address_1"]
    address_line2 = "address_2"
    locality      = "suburb"
    postal_code   = "postcode"
    region        = "state"
    date_of_birth = "date_of_birth"
  }
  identifiers = { national_id = "soc_sec_id" }
}

resolver {
  match_threshold = 0.9
}
