data_dir = "./data"
source "crm" {
  type            = "csv"
  path            = "crm.csv"
  id              = "id"
  default_country = "GB"
  map {
    given_name  = "first"
    family_name = "last"
    email       = "email"
  }
}
