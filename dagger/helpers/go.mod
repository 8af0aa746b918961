module goscratch.example/helpers

go 1.24
