# Febrl dataset4 with soc_sec_id as a strong identifier: scripts/febrl-eval.sh
# resolves it and scores the clusters against the rec_id truth.
data_dir = "./.scv-data/dataset4"

source "dataset4a" {
  type            = "csv"
  path            = "../../../shared/data/febrl/dataset4a.csv"
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

source "dataset4b" {
  type            = "csv"
  path            = "../../../shared/data/febrl/dataset4b.csv"
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
