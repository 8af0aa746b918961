module goscratch.example/service

go 1.26
