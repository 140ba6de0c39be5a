# Febrl dataset2 without soc_sec_id (names, dates, addresses only): scripts/febrl-eval.sh
# resolves it and scores the clusters against the rec_id truth.
data_dir = "./.scv-data/dataset2-noid"

source "dataset2" {
  type            = "csv"
  path            = "../../../shared/data/febrl/dataset2.csv"
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
}

resolver {
  match_threshold = 0.9
}
