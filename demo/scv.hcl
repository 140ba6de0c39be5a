# The bundled demo: three small silos of a fictional British retailer
# that know the same customers a little differently. Every person, email
# address and phone number is made up (example.* domains, Ofcom drama
# numbers). `scv demo` writes these files to a temporary directory and
# points data_dir there.

data_dir = "./scv-data"

server {
  listen = "127.0.0.1:7070"
}

source "crm" {
  type            = "csv"
  path            = "crm.csv"
  id              = "customer_id"
  updated_at      = "modified_at"
  trust           = 0.9
  default_country = "GB"
  date_format     = "dd/mm/yyyy"

  map {
    given_name    = "first_name"
    family_name   = "last_name"
    email         = "email"
    phone         = "mobile"
    date_of_birth = "dob"
    address_line1 = "street"
    locality      = "city"
    postal_code   = "postcode"
    country       = "country"
  }
  identifiers = { loyalty_id = "loyalty_id" }
  freshness   = "1095d"

  consent "email" {
    column = "email_opt_in"
    at     = "modified_at"  # the answer is as old as the record's last change
  }
}

source "shop" {
  type            = "csv"
  path            = "shop.csv"
  id              = "order_customer_ref"
  updated_at      = "last_order_at"
  trust           = 0.7
  default_country = "GB"
  date_format     = "iso"

  map {
    full_name     = "Name"
    email         = "E-mail"
    phone         = "Phone"
    date_of_birth = "Birthday"
    address_line1 = "address_1"
    address_line2 = "address_2"
    postal_code   = "zip"
    locality      = "town"
    country       = "country"
  }
  attributes = { lifetime_value = "total_spent" }

  consent "email" {
    column  = "newsletter"
    at      = "last_order_at"
    granted = ["yes"]
    denied  = ["no", "unsubscribed"]
  }
}

source "support" {
  type            = "csv"
  path            = "support.csv"
  id              = "ticket_contact_id"
  updated_at      = "last_contact"
  trust           = 0.5
  default_country = "GB"

  map {
    full_name = "contact_name"
    email     = "contact_email"
    phone     = "contact_phone"
    locality  = "city"
    country   = "country_code"
  }
  attributes = { open_tickets = "open_tickets" }
  freshness  = "730d"
}

resolver {
  match_threshold = 0.9
}

survivorship {
  attribute "lifetime_value" { rule = "max" }
}
