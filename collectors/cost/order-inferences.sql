-- Model predictions made for one order (`inference`, FINAL). Parameters: {order_id:String}.
SELECT count() AS inferences FROM inference FINAL WHERE order_id = {order_id:String}
