module goscratch.example/bench/bare

go 1.26
