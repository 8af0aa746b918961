module goscratch.example/registryaccess

go 1.26.0
