data_dir = "./data"
