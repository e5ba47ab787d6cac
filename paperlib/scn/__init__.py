"""SCN and HurNetTorch (seeds 000/001): semantic comparison with stored pairs, and a layer fitted in
closed form by least squares."""
