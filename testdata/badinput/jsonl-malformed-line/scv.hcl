data_dir = "./data"
source "crm" {
  type            = "jsonl"
  path            = "crm.jsonl"
  id              = "id"
  default_country = "GB"
  map {
    given_name  = "name.given"
    family_name = "name.family"
    email       = "emails"
  }
}
